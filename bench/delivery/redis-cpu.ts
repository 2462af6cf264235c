import type Redis from 'ioredis';

/** Seconds of CPU the Redis server has used (INFO cpu: used_cpu_sys + used_cpu_user), for per-command or per-message deltas. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return ['used_cpu_sys', 'used_cpu_user'].reduce((n, field) => n + Number(info.match(new RegExp(`${field}:([\\d.]+)`))?.[1] ?? 0), 0);
}
