import { describe, expect, it } from 'vitest';
import { RedisKeys } from '@spear/catalog';
import { scriptForwarding } from './script-forwarding';

type Config = Parameters<typeof scriptForwarding>[0];
const keys = new RedisKeys('spear:test1:');
const config = (bus: 'redis' | 'kafka', cluster: boolean, mode: 'memory' | 'fsync' | 'replicated') =>
  ({ bus, redis: { cluster }, delivery: { durability: { mode, replicas: 1, timeoutMs: 1000 } } }) as unknown as Config;

describe('scriptForwarding', () => {
  it("publishes from the append on one Redis that is the Redis bus's, in memory durability, on the bus's node channels", () => {
    expect(scriptForwarding(config('redis', false, 'memory'), keys, 'spear-1')).toEqual({ nodeChannelPrefix: 'spear:test1:node:', nodeId: 'spear-1' });
  });

  it('leaves the forward to the bus on Kafka, on a Redis Cluster, and where an append waits for its durability', () => {
    expect(scriptForwarding(config('kafka', false, 'memory'), keys, 'spear-1')).toBeUndefined();
    expect(scriptForwarding(config('redis', true, 'memory'), keys, 'spear-1')).toBeUndefined();
    expect(scriptForwarding(config('redis', false, 'fsync'), keys, 'spear-1')).toBeUndefined();
    expect(scriptForwarding(config('redis', false, 'replicated'), keys, 'spear-1')).toBeUndefined();
  });
});
