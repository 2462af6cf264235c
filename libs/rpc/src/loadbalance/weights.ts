import type { Provider } from './load-balancer';

/** A provider's weight as the balancers use it: finite and positive, or 0 (see {@link Provider.weight}). */
export function usableWeight(provider: Provider): number {
  const w = provider.weight;
  return w > 0 && w < Number.POSITIVE_INFINITY ? w : 0;
}

/** True when at least one provider has a usable weight; when none has, balancers treat all as equal. */
export function anyWeighted(providers: readonly Provider[]): boolean {
  for (const p of providers) if (usableWeight(p) > 0) return true;
  return false;
}

/**
 * Weighted random choice: each provider with probability weight / total.
 * Uniform when all weights are equal (one pass, no second walk) or none is
 * usable. Undefined only for an empty list.
 */
export function pickWeighted<P extends Provider>(providers: readonly P[], random: () => number): P | undefined {
  const n = providers.length;
  if (n <= 1) return providers[0];
  const first = usableWeight(providers[0]!);
  let total = first;
  let same = true;
  for (let i = 1; i < n; i++) {
    const w = usableWeight(providers[i]!);
    total += w;
    if (w !== first) same = false;
  }
  // min() guards against a random source that returns 1.
  if (same || total <= 0) return providers[Math.min(n - 1, Math.floor(random() * n))];
  let offset = random() * total;
  for (const p of providers) {
    offset -= usableWeight(p);
    if (offset < 0) return p;
  }
  // Only reached through floating-point rounding at the top end: the last weighted provider.
  for (let i = n - 1; ; i--) if (usableWeight(providers[i]!) > 0) return providers[i];
}
