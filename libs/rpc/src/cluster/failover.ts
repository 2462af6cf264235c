import { isProviderFailure, neverExecuted, RpcError } from '../errors';
import type { ProviderConnection } from '../client/provider-connection';
import type { CallPolicy, ClusterStrategy, Selector } from './cluster';

/**
 * Failover (the default): on a provider failure, try another provider, up to
 * `retries` more times. A call that may already have run (timeout, lost
 * connection) is retried only when the method is retry-safe; one that surely
 * did not run (not sent, provider shutting down) always may be.
 * Guarantee: at-most-once for methods not marked retry-safe.
 */
export class FailoverCluster implements ClusterStrategy {
  async invoke(select: Selector, attempt: (p: ProviderConnection) => Promise<unknown>, policy: CallPolicy): Promise<unknown> {
    const tried = new Set<ProviderConnection>();
    let last: RpcError | undefined;
    for (let i = 0; i <= policy.retries; i++) {
      const provider = select(tried);
      if (!provider) break;
      tried.add(provider);
      try {
        return await attempt(provider);
      } catch (error) {
        if (!(error instanceof RpcError) || !isProviderFailure(error)) throw error;
        if (!neverExecuted(error) && !policy.retrySafe) throw error;
        last = error;
      }
    }
    throw last ?? new RpcError('no_provider', 'no live provider');
  }
}
