import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import type { NodeMetric } from '@spear/stat-client';
import { apiError, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { NodeStats, type SeriesPoints } from '../store/node-stats';
import { RpcStats, type RpcSeriesMetric } from '../store/rpc-stats';
import { StatReadGuard } from './read-key.guard';
import { MAX_POINTS, nodeSeriesQuery, rpcSeriesQuery, rpcSummaryQuery } from './query';

/** stat's read API (minions and operators read it, with a key: StatReadGuard). Every query is validated; bad input is 400 bad_request. */
@Controller('v1')
@UseGuards(StatReadGuard)
export class StatHttpController {
  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'stat'>,
    @Inject(NodeStats) private readonly nodeStats: NodeStats,
    @Inject(RpcStats) private readonly rpcStats: RpcStats,
  ) {}

  /** Every spear node that reported within the retention: its latest report and whether it is stale. */
  @Get('nodes')
  async nodes() {
    return { staleAfterMs: this.ctx.config.stat.staleAfterMs, nodes: await this.nodeStats.nodes() };
  }

  /** Totals over the nodes that are not stale. */
  @Get('cluster')
  async cluster() {
    return this.nodeStats.totals();
  }

  /** One node metric over time, for one node or `all` combined. */
  @Get('series')
  async series(@Query() query: unknown) {
    const q = parseOr400(nodeSeriesQuery, query);
    const { from, to, step } = this.range(q);
    const points = await this.nodeStats.seriesOf(q.metric as NodeMetric, q.node, step, from, to);
    return { metric: q.metric, node: q.node, from, to, stepSeconds: this.ctx.config.stat[step].stepSeconds, points };
  }

  /** Calls/s, error rate, avg, p99 and max per side, service and method (and provider) over the last `windowSeconds`. */
  @Get('rpc')
  async rpc(@Query() query: unknown) {
    const { fine } = this.ctx.config.stat;
    // At most what the fine series holds (its oldest slot is about to be overwritten).
    const windowSeconds = Math.min(parseOr400(rpcSummaryQuery, query).windowSeconds, fine.keepSeconds - fine.stepSeconds);
    return { windowSeconds, methods: await this.rpcStats.summary(windowSeconds) };
  }

  /** One RPC figure of a method (or one of its providers) over time. */
  @Get('rpc/series')
  async rpcSeries(@Query() query: unknown) {
    const q = parseOr400(rpcSeriesQuery, query);
    const { from, to, step } = this.range(q);
    const points: SeriesPoints = await this.rpcStats.seriesOf(q, q.metric as RpcSeriesMetric, step, from, to);
    return { ...q, from, to, stepSeconds: this.ctx.config.stat[step].stepSeconds, points };
  }

  /** Resolves the default range and resolution and refuses ranges that are inverted, too old or too long. */
  private range(q: { from?: number; to?: number; step?: 'fine' | 'coarse' }): { from: number; to: number; step: 'fine' | 'coarse' } {
    const { fine, coarse } = this.ctx.config.stat;
    const now = Date.now();
    const to = q.to ?? now;
    const from = q.from ?? to - 5 * 60_000;
    if (from > to) throw apiError('bad_request', 'from: must not be after to');
    // The oldest readable bucket is one step younger than the retention: its slot is the current bucket's.
    const reach = (r: { keepSeconds: number; stepSeconds: number }) => (r.keepSeconds - r.stepSeconds) * 1000;
    const step = q.step ?? (now - from <= reach(fine) ? 'fine' : 'coarse');
    const res = step === 'fine' ? fine : coarse;
    if (now - from > reach(res)) throw apiError('bad_request', `from: the ${step} series reach back ${res.keepSeconds - res.stepSeconds} s; use step=coarse or a later from`);
    if ((to - from) / (res.stepSeconds * 1000) > MAX_POINTS) throw apiError('bad_request', `the range holds more than ${MAX_POINTS} ${step} buckets`);
    return { from, to, step };
  }
}
