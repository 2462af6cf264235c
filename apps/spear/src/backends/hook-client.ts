import { Counter, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import type { HookConfig, HooksConfig } from '@spear/config';
import type { GroupHooks, HookCaller, PublishVerdict } from '@spear/delivery';
import { groupSchema } from '@spear/protocol';
import { BackendCallError, type BackendCaller } from './backend-caller';

const joinAnswer = z.object({ allow: z.boolean() });
const connectAnswer = z.object({ allow: z.boolean(), groups: z.array(groupSchema).optional(), meta: z.unknown().optional() });

/** What a connection tells the connect hook (PROTOCOL.md v1.1). */
export interface ConnectInfo {
  uid: string;
  device: string;
  node: string;
  sessionId: string;
  ip: string;
}

/** The connect hook's verdict: refused, or admitted with groups to join and `meta`. */
export type ConnectVerdict = { allow: false } | { allow: true; groups: string[]; meta: unknown };

const ADMIT_ALL: ConnectVerdict = { allow: true, groups: [], meta: null };

type HookName = 'connect' | 'disconnect' | 'join' | 'publish' | 'undelivered';

/** The `outcome` label values of spear_hook_calls_total. */
export type HookOutcome = 'allowed' | 'refused' | 'failed_allowed' | 'failed_refused' | 'answered' | 'failed' | 'dropped';

/**
 * How one kind of hook call is counted: the outcome of an answer, and of a
 * failure. Given by the caller with the call, so a new hook states its own
 * labels instead of inheriting whatever a guess from its name would give.
 */
export interface CallOutcomes<T> {
  answered(answer: T): HookOutcome;
  failed: HookOutcome;
}

/** A notification (disconnect, undelivered): any answer is `answered`, its policy plays no part. */
export const NOTIFICATION_OUTCOMES: CallOutcomes<unknown> = { answered: () => 'answered', failed: 'failed' };

/** A verdict hook (connect, join, publish): allowed or refused as answered; a failure as its onFailure policy resolves it. */
export function verdictOutcomes(onFailure: HookConfig['onFailure']): CallOutcomes<{ allow: boolean }> {
  return { answered: (answer) => (answer.allow ? 'allowed' : 'refused'), failed: onFailure === 'allow' ? 'failed_allowed' : 'failed_refused' };
}

/** Disconnect notifications one node has in flight at most. */
const MAX_NOTIFICATIONS_IN_FLIGHT = 256;
const publishAnswer = z.object({ allow: z.boolean(), body: z.unknown().optional() });

interface HookLogger {
  warn(o: object, m?: string): void;
}

/**
 * The join and publish hooks over the profile's backends. Each call is
 * bounded by its hook's timeout; a failed, late or malformed answer (a
 * replacement body over `maxBodyBytes` included) is logged, counted and
 * resolved per the hook's failure policy: the client always gets an ack.
 */
export class HookClient implements GroupHooks {
  private readonly calls: Counter<'hook' | 'outcome'>;
  /** Disconnect notifications in flight. */
  private notifying = 0;
  private readonly seconds: Histogram<'hook'>;

  constructor(
    private readonly hooks: HooksConfig,
    private readonly backend: BackendCaller,
    private readonly options: { maxBodyBytes: number; maxGroupsPerConnection: number; logger: HookLogger; registry: Registry },
  ) {
    const registers = [options.registry];
    this.calls = new Counter({ name: 'spear_hook_calls_total', help: 'Hook calls by hook and outcome (allowed, refused, failed_refused, failed_allowed; notifications: answered, failed, dropped past the in-flight bound)', labelNames: ['hook', 'outcome'], registers });
    this.seconds = new Histogram({ name: 'spear_hook_seconds', help: 'Hook call time, failures included', labelNames: ['hook'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers });
  }

  /** Without a connect hook every connection is admitted, with no extra group and null `meta`. */
  async connect(info: ConnectInfo): Promise<ConnectVerdict> {
    if (!this.hooks.connect) return ADMIT_ALL;
    const verdict = await this.ask('connect', info, info.uid, (raw): ConnectVerdict => {
      const answer = connectAnswer.parse(raw);
      if (!answer.allow) return { allow: false };
      const groups = [...new Set(answer.groups ?? [])];
      if (groups.length > this.options.maxGroupsPerConnection) throw new Error(`${groups.length} groups, over groups.maxPerConnection`);
      const meta = answer.meta ?? null;
      const bytes = Buffer.byteLength(JSON.stringify(meta));
      if (bytes > this.options.maxBodyBytes) throw new Error(`meta is ${bytes} bytes, over delivery.maxBodyBytes`);
      return { allow: true, groups, meta };
    });
    // A failed call under `allow` admits plainly: no groups, no meta.
    return 'groups' in verdict ? verdict : verdict.allow ? ADMIT_ALL : { allow: false };
  }

  /**
   * Tells the disconnect hook, at most once per connection; its answer is
   * not read, a failure is only logged and counted. At most
   * MAX_NOTIFICATIONS_IN_FLIGHT at once: past it (a node draining 50,000
   * connections) the notification is dropped and counted, never queued.
   */
  disconnected(info: { uid: string; device: string; sessionId: string; reason: string }): void {
    if (!this.hooks.disconnect) return;
    if (this.notifying >= MAX_NOTIFICATIONS_IN_FLIGHT) {
      this.calls.inc({ hook: 'disconnect', outcome: 'dropped' satisfies HookOutcome });
      return;
    }
    this.notifying++;
    void this.attempt('disconnect', info, info.uid, () => true, NOTIFICATION_OUTCOMES).finally(() => this.notifying--);
  }

  /**
   * Tells the undelivered hook `{uid, id, from, ts}` (a notification: any
   * JSON answer will do); resolves whether it answered, so an unanswered
   * check stays for another try. Never rejects.
   */
  async undelivered(entry: { uid: string; id: string; from: string; ts: number }): Promise<boolean> {
    const { uid, id, from, ts } = entry;
    return (await this.attempt('undelivered', { uid, id, from, ts }, uid, () => true, NOTIFICATION_OUTCOMES)) !== undefined;
  }

  async join(caller: HookCaller, group: string): Promise<{ allow: boolean }> {
    const answer = await this.ask('join', { ...caller, group }, caller.uid, (raw) => joinAnswer.parse(raw));
    return { allow: answer.allow };
  }

  async publish(caller: HookCaller, group: string, body: unknown): Promise<PublishVerdict> {
    return this.ask('publish', { uid: caller.uid, device: caller.device, group, body, meta: caller.meta }, caller.uid, (raw) => {
      const answer = publishAnswer.parse(raw);
      if (!answer.allow || !('body' in answer)) return { allow: answer.allow };
      const bytes = Buffer.byteLength(JSON.stringify(answer.body) ?? '');
      if (answer.body === undefined || bytes > this.options.maxBodyBytes) throw new Error(`the replacement body is ${bytes} bytes, over delivery.maxBodyBytes or not JSON`);
      return { allow: true, body: answer.body };
    });
  }

  /** A verdict hook: its answer, or on any failure what its policy says (`allow` or refuse). */
  private async ask<T extends { allow: boolean }>(name: HookName, payload: object, uid: string, read: (raw: unknown) => T): Promise<T | { allow: boolean }> {
    const { onFailure } = this.hooks[name]!;
    return (await this.attempt(name, payload, uid, read, verdictOutcomes(onFailure))) ?? { allow: onFailure === 'allow' };
  }

  /**
   * One timed call, counted with the caller's `outcomes`: the answer as
   * `read` takes it, or undefined (logged) when the call or the answer
   * failed. Never rejects.
   */
  private async attempt<T>(name: HookName, payload: object, uid: string, read: (raw: unknown) => T, outcomes: CallOutcomes<T>): Promise<T | undefined> {
    const hook = this.hooks[name] as HookConfig; // asked only where the profile has the hook (the profile check requires it)
    const stop = this.seconds.startTimer({ hook: name });
    try {
      const answer = read(await this.backend.call(hook.backend, payload, { timeoutMs: hook.timeoutMs, hashKey: uid }));
      this.calls.inc({ hook: name, outcome: outcomes.answered(answer) });
      return answer;
    } catch (error) {
      this.calls.inc({ hook: name, outcome: outcomes.failed });
      const reason = error instanceof BackendCallError ? error.reason : 'malformed answer';
      this.options.logger.warn({ hook: name, reason, err: error instanceof Error ? error.message : String(error), onFailure: hook.onFailure }, 'hook call failed');
      return undefined;
    } finally {
      stop();
    }
  }
}
