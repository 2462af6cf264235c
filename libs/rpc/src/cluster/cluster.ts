import type { ProviderConnection } from '../client/provider-connection';

/** How one call is placed: per-attempt timeout, retries, whether running it twice is harmless. */
export interface CallPolicy {
  /** Each attempt's deadline; a late reply is dropped. */
  timeoutMs: number;
  /** Extra attempts on other providers (failover only). */
  retries: number;
  /** The method may run twice without harm (reads, id batches); only then is a call that may have run retried. */
  retrySafe: boolean;
}

/** Picks a provider among those not tried yet; undefined when none is left. */
export type Selector = (exclude: ReadonlySet<ProviderConnection>) => ProviderConnection | undefined;

/**
 * A cluster strategy (Dubbo's `Cluster`): turns attempts on providers into
 * one call's outcome. One strategy per file, this one-method interface.
 */
export interface ClusterStrategy {
  invoke(select: Selector, attempt: (provider: ProviderConnection) => Promise<unknown>, policy: CallPolicy): Promise<unknown>;
}
