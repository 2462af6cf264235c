/** One instance of a service that a call can be sent to. */
export interface Provider {
  /** Stable and unique within a provider list (e.g. host:port); balancers key their state by it. */
  readonly id: string;
  /**
   * Relative share of traffic: a finite number >= 0. Weight 0 drains a provider
   * (it is chosen only if every provider has weight 0); negative or non-finite
   * weights count as 0.
   */
  readonly weight: number;
  /** In-flight calls to this provider, maintained by the caller. */
  readonly active: number;
}

/** What is being called; balancers may key state or hashing on it. */
export interface Invocation {
  readonly service: string;
  readonly method: string;
  readonly args: readonly unknown[];
  /** Explicit key for consistent hashing; overrides the hashed argument. */
  readonly hashKey?: string;
}

/**
 * Chooses the provider for one call: one algorithm per implementation.
 *
 * Guarantees of every implementation: `select` returns an element of
 * `providers` (the same object, never a copy or a provider from an earlier
 * list), returns undefined only when `providers` is empty, never throws for a
 * list whose ids are strings, and does not modify the list.
 */
export interface LoadBalancer {
  select<P extends Provider>(providers: readonly P[], call: Invocation): P | undefined;
}
