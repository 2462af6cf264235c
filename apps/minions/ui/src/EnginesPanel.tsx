import { num } from './format';
import { usePoll } from './use-poll';

interface RedisView {
  info: Record<string, string>;
  keys: { prefix: string; counts: Record<string, number>; scanned: number; complete: boolean };
  /** Only on a Redis Cluster: each master, its slots and its INFO fields. */
  shards?: Array<{ node: string; slots: number; info: Record<string, string> }>;
}
type KafkaView =
  | { configured: false }
  | { configured: true; bus: false; unreachable: string }
  | { configured: true; bus: boolean; brokers: string[]; topics: Array<{ topic: string; partitions: number; messages: number }> };

/** Redis and Kafka as the dashboard's server sees them; an engine that is down shows as down. */
export function EnginesPanel() {
  const redis = usePoll<RedisView>('/api/redis', 3000);
  const kafka = usePoll<KafkaView>('/api/kafka', 5000);
  const info = redis.data?.info;
  return (
    <section className="panel">
      <h2>Redis</h2>
      {redis.error && <p className="error">Redis: {redis.error}</p>}
      {info && (
        <dl data-testid="redis-info">
          {['redis_version', 'uptime_in_seconds', 'connected_clients', 'used_memory_human', 'instantaneous_ops_per_sec', 'pubsub_channels'].map((k) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{info[k] ?? '–'}</dd>
            </div>
          ))}
          {Object.entries(redis.data!.keys.counts)
            .filter(([, n]) => n > 0)
            .map(([family, n]) => (
              <div key={family}>
                <dt>{family === 'other' ? `${redis.data!.keys.prefix}* (other)` : `${redis.data!.keys.prefix}${family}:*`}</dt>
                <dd>
                  {num(n, 0)} keys{redis.data!.keys.complete ? '' : '+'}
                </dd>
              </div>
            ))}
        </dl>
      )}
      {redis.data?.shards && (
        <table data-testid="redis-shards">
          <thead>
            <tr>
              <th>shard (master)</th>
              <th>slots</th>
              <th>memory</th>
              <th>ops/s</th>
              <th>clients</th>
            </tr>
          </thead>
          <tbody>
            {redis.data.shards.map((shard) => (
              <tr key={shard.node}>
                <td>{shard.node}</td>
                <td>{num(shard.slots, 0)}</td>
                <td>{shard.info.used_memory_human ?? '–'}</td>
                <td>{shard.info.instantaneous_ops_per_sec ?? '–'}</td>
                <td>{shard.info.connected_clients ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 className="spaced">Kafka</h2>
      {kafka.error && <p className="error">Kafka: {kafka.error}</p>}
      {kafka.data && !kafka.data.configured && <p className="muted">No Kafka in this profile (the bus is Redis).</p>}
      {kafka.data?.configured && 'unreachable' in kafka.data && <p className="muted">Not in use (the bus is Redis) and not reachable: {kafka.data.unreachable}</p>}
      {kafka.data?.configured && 'topics' in kafka.data && (
        <>
          <p className="muted">
            {kafka.data.brokers.join(', ')} · {kafka.data.bus ? 'the bus' : 'not the bus'}
          </p>
          {kafka.data.topics.length === 0 ? (
            <p className="muted">No Spear topic yet.</p>
          ) : (
            <table>
              <tbody>
                {kafka.data.topics.map((t) => (
                  <tr key={t.topic}>
                    <td>{t.topic}</td>
                    <td>{num(t.messages, 0)} records</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
