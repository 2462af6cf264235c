import { Counter, Gauge } from 'prom-client';
import { zkPaths } from '@spear/catalog';
import { SnowflakeGenerator, type IdRange } from '@spear/snowflake';
import type { Election, Lease } from '@spear/registry';
import { RpcError } from '@spear/rpc';
import type { ServiceContext } from '@spear/runtime';

/**
 * Issues snowflake ids under a worker id leased in ZooKeeper.
 * Guarantee: ids are issued only while the lease is valid (and, in strict
 * mode, while this instance is the elected leader), so no two live
 * instances ever issue ids with the same worker id.
 */
export class IdService {
  private generator?: SnowflakeGenerator;
  private readonly issued: Counter;

  private constructor(
    private readonly ctx: ServiceContext<'idgen'>,
    private readonly lease: Lease,
    private readonly election: Election | undefined,
  ) {
    const registers = [ctx.metrics.registry];
    this.issued = new Counter({ name: 'spear_idgen_ids_issued_total', help: 'Snowflake ids issued', registers });
    const serving = new Gauge({ name: 'spear_idgen_serving', help: '1 while this instance may issue ids', registers });
    const workerId = new Gauge({ name: 'spear_idgen_worker_id', help: 'The leased worker id (-1: none)', registers });
    const refresh = () => {
      serving.set(this.serving ? 1 : 0);
      workerId.set(lease.id ?? -1);
    };
    lease.on('acquired', (id: number) => {
      this.generator = this.newGenerator(id);
      ctx.logger.info({ workerId: id }, 'worker id leased');
      refresh();
    });
    lease.on('lost', () => {
      ctx.logger.warn({}, 'worker lease lost with the zookeeper session; not serving until leased again');
      refresh();
    });
    lease.on('warning', (error: unknown) => ctx.logger.warn({ err: String(error) }, 'worker lease retry failed'));
    election?.on('elected', () => {
      ctx.logger.info({}, 'elected leader: serving');
      refresh();
    });
    election?.on('revoked', () => {
      ctx.logger.info({}, 'not the leader: standing by');
      refresh();
    });
    election?.on('warning', (error: unknown) => ctx.logger.warn({ err: String(error) }, 'election check failed'));
    ctx.registry.on('state', refresh);
    this.generator = lease.id === undefined ? undefined : this.newGenerator(lease.id);
    refresh();
  }

  /** Leases a worker id (and joins the election in strict mode) before serving. */
  static async start(ctx: ServiceContext<'idgen'>): Promise<IdService> {
    const { idgen } = ctx.config;
    const lease = await ctx.registry.lease(zkPaths.idgenWorkers, idgen.workerIds, { pid: process.pid, startedAt: ctx.startedAt });
    const election = idgen.strict ? await ctx.registry.elect(zkPaths.idgenLeader, { pid: process.pid, workerId: lease.id }) : undefined;
    const service = new IdService(ctx, lease, election);
    ctx.health.add('worker-lease', async () => {
      if (!lease.valid) throw new Error('no valid worker id lease');
    });
    ctx.logger.info({ workerId: lease.id, strict: idgen.strict, leader: election?.isLeader }, 'idgen ready');
    return service;
  }

  get serving(): boolean {
    return this.lease.valid && (this.election?.isLeader ?? true) && this.generator !== undefined;
  }

  get workerId(): number | undefined {
    return this.lease.id;
  }

  next(): string {
    const id = this.ready().next();
    this.issued.inc();
    return id;
  }

  nextRanges(n: number): IdRange[] {
    const ranges = this.ready().nextRanges(n);
    this.issued.inc(n);
    return ranges;
  }

  async stop(): Promise<void> {
    await this.election?.close();
    await this.lease.release();
  }

  private ready(): SnowflakeGenerator {
    if (!this.serving || !this.generator) {
      const why = !this.lease.valid ? 'holds no valid worker lease' : 'is a standby (strict mode)';
      throw new RpcError('not_serving', `this idgen ${why}`);
    }
    return this.generator;
  }

  private newGenerator(workerId: number): SnowflakeGenerator {
    const { epochMs, maxBackwardsMs } = this.ctx.config.idgen;
    return new SnowflakeGenerator({ workerId, epochMs, maxBackwardsMs });
  }
}
