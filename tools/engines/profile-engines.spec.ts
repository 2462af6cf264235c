import { resolve } from 'node:path';
import { readRawProfile } from '@spear/config';
import { describe, expect, it } from 'vitest';
import { CLUSTER_PORT_OFFSETS, describePorts, enginePorts, redisClusterShape, type EnginePorts } from './profile-engines';

const profile = (name: string) => resolve(__dirname, '../../profiles', name);

/** Every port a profile's processes and engines listen on, the ports the engines tool derives included. */
function portsOf(name: string): number[] {
  const listeners: number[] = [];
  const walk = (value: unknown, key = ''): void => {
    if (key === 'port' && typeof value === 'number') listeners.push(value);
    else if (Array.isArray(value)) value.forEach((item) => walk(item));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(readRawProfile({ profile: profile(name), env: {} }).raw);
  const { ports } = enginePorts(profile(name));
  return [...listeners, ...enginePortsWithDerived(ports)];
}

function enginePortsWithDerived(ports: EnginePorts): number[] {
  const { zookeeper = [ports.zookeeper], redis = [ports.redis], kafka = [ports.kafka] } = ports.clusters;
  const o = CLUSTER_PORT_OFFSETS;
  return [
    ...zookeeper.flatMap((p) => (ports.clusters.zookeeper ? [p, p + o.zookeeperPeer, p + o.zookeeperElection] : [p])),
    ...redis.flatMap((p) => (ports.clusters.redis ? [p, p + o.redisBus] : [p])),
    // A single Kafka's controller listens on the broker port + 1 (ensureEngine).
    ...kafka.flatMap((p) => (ports.clusters.kafka ? [p, p + o.kafkaController] : [p, p + 1])),
  ];
}

describe('engine ports of a profile', () => {
  it('local-cluster names a ZooKeeper ensemble, a Redis Cluster and a Kafka cluster', () => {
    const { name, ports } = enginePorts(profile('local-cluster'));
    expect(name).toBe('local-cluster');
    expect(ports.clusters).toEqual({
      zookeeper: [13181, 13182, 13183],
      redis: [17001, 17002, 17003, 17004, 17005, 17006],
      kafka: [13092, 13093, 13094],
    });
    expect([ports.zookeeper, ports.redis, ports.kafka]).toEqual([13181, 17001, 13092]);
    expect(describePorts('redis', ports)).toBe('127.0.0.1:17001,17002,17003,17004,17005,17006');
    expect(redisClusterShape(ports.clusters.redis!.length)).toEqual({ masters: 3, replicasPerMaster: 1 });
  });

  it('local names one server of each, as before', () => {
    const { ports } = enginePorts(profile('local'));
    expect(ports).toEqual({ zookeeper: 12181, redis: 16379, kafka: 19092, clusters: {} });
    expect(describePorts('zookeeper', ports)).toBe('127.0.0.1:12181');
  });

  it("local-cluster's ports, the derived engine ports included, are its own and clear of local's, test1's and test2's", () => {
    const own = portsOf('local-cluster');
    expect(new Set(own).size).toBe(own.length);
    const others = new Set(['local', 'test1', 'test2'].flatMap(portsOf));
    expect(own.filter((port) => others.has(port))).toEqual([]);
  });

  it('splits a Redis Cluster into masters and replicas, or says which counts work', () => {
    expect(redisClusterShape(3)).toEqual({ masters: 3, replicasPerMaster: 0 });
    expect(redisClusterShape(8)).toEqual({ masters: 4, replicasPerMaster: 1 });
    expect(() => redisClusterShape(2)).toThrow(/list 3 to 5 \(all masters\) or an even number from 6/);
    expect(() => redisClusterShape(7)).toThrow(/cannot be split/);
  });
});
