import { Controller, Get, Inject, Param, Query, Res, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { parseSpearNodeEntries, RedisKeys, zkPaths } from '@spear/catalog';
import { apiError, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { KafkaInfoReader, type KafkaInfo } from './kafka-info';
import { countSpearKeys, readRedisInfo, readRedisShards, type RedisShard, type SpearKeyCounts } from './redis-info';
import { BackendStats, type BackendFigures } from './backend-stats';
import { fetchWithin, passThrough } from './service-locator';
import { StatReader } from './stat-reader';
import { readTopology, type Topology } from './topology';
import { OperatorGuard } from '../auth/operator.guard';

/** stat read endpoints the dashboard may ask for (GET only, query passed through; stat validates it). */
const STAT_PATHS = new Set(['nodes', 'cluster', 'series', 'rpc', 'rpc-series']);

/** The dashboard's read API: ZooKeeper topology, Redis and Kafka state, and stat's figures. */
@UseGuards(OperatorGuard)
@Controller('api')
export class DashboardController {
  /** The profile's Redis key names (libs/catalog): what the key counts scan for. */
  private readonly keys: RedisKeys;

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'minions'>,
    @Inject(StatReader) private readonly statReader: StatReader,
    @Inject(KafkaInfoReader) private readonly kafka: KafkaInfoReader,
    @Inject(BackendStats) private readonly backendStats: BackendStats,
  ) {
    this.keys = new RedisKeys(ctx.config.redis.keyPrefix);
  }

  @Get('topology')
  async topology(): Promise<Topology> {
    if (this.ctx.registry.state !== 'connected') throw engineDown('ZooKeeper', this.ctx.registry.state);
    return readTopology(this.ctx.registry);
  }

  @Get('redis')
  async redis(): Promise<{ info: Record<string, string>; keys: SpearKeyCounts; shards?: RedisShard[] }> {
    if (this.ctx.redis.status !== 'ready') throw engineDown('Redis', this.ctx.redis.status);
    const [info, keys, shards] = await Promise.all([readRedisInfo(this.ctx.redis), countSpearKeys(this.ctx.redis, this.keys), readRedisShards(this.ctx.redis)]);
    return { info, keys, ...(shards ? { shards } : {}) };
  }

  /** Kafka's Spear topics; unreachable is an error only when Kafka is the bus (otherwise it is merely not in use). */
  @Get('kafka')
  async kafkaInfo(): Promise<KafkaInfo | { configured: true; bus: false; unreachable: string }> {
    try {
      return await this.kafka.read();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (this.ctx.config.bus !== 'kafka') return { configured: true, bus: false, unreachable: reason };
      throw engineDown('Kafka', reason);
    }
  }

  /** Every rpc route and hook the spear nodes served: calls/s, error rate and p99 since the previous read (scraped from each node's /metrics). */
  @Get('backends')
  async backends(): Promise<{ nodes: number; answered: number; figures: BackendFigures[] }> {
    if (this.ctx.registry.state !== 'connected') throw engineDown('ZooKeeper', this.ctx.registry.state);
    const nodes = parseSpearNodeEntries(await this.ctx.registry.list(zkPaths.spearNodes));
    const texts = await Promise.all(nodes.map((n) => fetchWithin(`${n.url}/metrics`, 2000).then((r) => (r.ok ? r.text() : undefined), () => undefined)));
    const answered = nodes.flatMap((n, i) => (texts[i] === undefined ? [] : [{ node: n.id, text: texts[i] }]));
    return { nodes: nodes.length, answered: answered.length, figures: this.backendStats.figures(answered) };
  }

  @Get('health')
  async health() {
    return this.ctx.health.run();
  }

  /** /api/stat/<nodes|cluster|series|rpc|rpc-series>: stat's answer as is (status and body), from any live stat instance. */
  @Get('stat/:path')
  async stat(@Param('path') path: string, @Query() query: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    if (!STAT_PATHS.has(path)) throw apiError('not_found', `no stat endpoint ${path}`);
    const target = `/v1/${path === 'rpc-series' ? 'rpc/series' : path}?${new URLSearchParams(query).toString()}`;
    passThrough(reply, await this.statReader.get(target));
  }
}

/** 503 engine_down (a dashboard code, not a protocol one) naming the engine, so the UI shows "Redis: down" rather than a blank panel. */
function engineDown(engine: string, state: string): ServiceUnavailableException {
  return new ServiceUnavailableException({ error: { code: 'engine_down', message: `${engine} is ${state}` } });
}
