import { RpcError } from '../errors';
import type { ProviderConnection } from '../client/provider-connection';
import type { CallPolicy, ClusterStrategy, Selector } from './cluster';

/**
 * Failfast: one attempt on one provider; its failure is the call's failure.
 * For calls that must not be repeated and whose callers handle errors.
 * Guarantee: at-most-once.
 */
export class FailfastCluster implements ClusterStrategy {
  async invoke(select: Selector, attempt: (p: ProviderConnection) => Promise<unknown>, _policy: CallPolicy): Promise<unknown> {
    const provider = select(new Set());
    if (!provider) throw new RpcError('no_provider', 'no live provider');
    return attempt(provider);
  }
}
