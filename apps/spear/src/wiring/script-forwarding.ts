import { nodeChannelPrefix } from '@spear/bus';
import type { RedisKeys } from '@spear/catalog';
import type { AppConfig } from '@spear/config';
import type { LogForwarding } from '@spear/delivery';

/**
 * Whether this node's appends publish their own forwards (UserLog's
 * LogForwarding), and where: only when the bus is the Redis bus on the very
 * Redis the logs live in (the `redis` section serves both), that Redis is
 * not a cluster (a script may publish only within its key's slot there), and
 * an append's answer is its durability (`memory`: a replicated or fsynced
 * message is forwarded after its wait, by the bus). Otherwise undefined: the
 * node forwards through the bus.
 */
export function scriptForwarding(config: Pick<AppConfig<'spear'>, 'bus' | 'redis' | 'delivery'>, keys: RedisKeys, nodeId: string): LogForwarding | undefined {
  if (config.bus !== 'redis' || config.redis.cluster || config.delivery.durability.mode !== 'memory') return undefined;
  return { nodeChannelPrefix: nodeChannelPrefix(keys.channelPrefix), nodeId };
}
