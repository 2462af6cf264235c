import type { RedisClient } from '@spear/bus';
import type { Logger } from 'pino';
import type { RedisKeys } from '@spear/catalog';
import { dashboardError } from '../http/dashboard-error';
import { auditEntryOf, auditFields, type AuditEntry, type AuditRecord } from './audit-entry';
import type { AuditQuery } from './audit-query';

/** Entries kept, about (MAXLEN ~ trims whole stream nodes, so a few more may stay). */
export const AUDIT_KEEP = 100_000;
/** Entries one query reads at most, matching or not: a narrow filter over a long log pages on with `next` instead of scanning it all. */
export const AUDIT_SCAN_BUDGET = 10_000;
const BATCH = 500;

/** One page of the audit log: newest first; `next` continues older, null at the end. */
export interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
  /** Entries read to answer (at most AUDIT_SCAN_BUDGET). */
  scanned: number;
}

/**
 * The dashboard's audit log: a capped Redis stream (`minions:audit`) shared
 * by every minions instance, read newest first with filters. Every entry is
 * also a log line (`audit`), so what was done is on record even while Redis
 * is down; record() never throws.
 */
export class AuditLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
    /** Entries kept, about. */
    private readonly keep = AUDIT_KEEP,
  ) {}

  async record(record: AuditRecord): Promise<void> {
    this.logger.info({ audit: record }, 'audit');
    try {
      // Not queued behind a reconnect: the operator's request would wait for as long.
      if (this.redis.status !== 'ready') throw new Error(`Redis is ${this.redis.status}`);
      await this.redis.xadd(this.keys.minionsAudit(), 'MAXLEN', '~', String(this.keep), '*', ...auditFields(record));
    } catch (error) {
      this.logger.error({ audit: record, err: (error as Error).message }, 'audit entry not stored in Redis');
    }
  }

  /** A page of entries matching `query`, newest first, reading at most AUDIT_SCAN_BUDGET entries. */
  async query(query: AuditQuery): Promise<AuditPage> {
    if (this.redis.status !== 'ready') throw dashboardError(503, 'engine_down', `Redis is ${this.redis.status}: the audit log cannot be read`);
    const oldest = query.from === undefined ? '-' : String(query.from);
    let newest = query.before ? `(${query.before}` : query.to === undefined ? '+' : String(query.to);
    const entries: AuditEntry[] = [];
    let scanned = 0;
    while (scanned < AUDIT_SCAN_BUDGET) {
      const count = Math.min(BATCH, AUDIT_SCAN_BUDGET - scanned);
      const batch = await this.redis.xrevrange(this.keys.minionsAudit(), newest, oldest, 'COUNT', count);
      for (const [id, fields] of batch) {
        scanned++;
        const entry = auditEntryOf(id, fields);
        if (entry && matches(entry, query)) entries.push(entry);
        if (entries.length === query.limit) return { entries, next: id, scanned };
      }
      if (batch.length < count) return { entries, next: null, scanned };
      newest = `(${batch[batch.length - 1]![0]}`;
    }
    // The budget ran out: the caller may go on from where this read stopped.
    return { entries, next: newest.slice(1), scanned };
  }
}

function matches(entry: AuditEntry, query: AuditQuery): boolean {
  return (query.operator === undefined || entry.operator === query.operator) && (query.action === undefined || entry.action === query.action) && (query.target === undefined || entry.target.includes(query.target));
}
