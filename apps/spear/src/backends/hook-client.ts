import { Counter, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import type { HookConfig, HooksConfig } from '@spear/config';
import type { GroupHooks, HookCaller, PublishVerdict } from '@spear/delivery';
import { BackendCallError, type BackendCaller } from './backend-caller';

const joinAnswer = z.object({ allow: z.boolean() });
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
  private readonly seconds: Histogram<'hook'>;

  constructor(
    private readonly hooks: HooksConfig,
    private readonly backend: BackendCaller,
    private readonly options: { maxBodyBytes: number; logger: HookLogger; registry: Registry },
  ) {
    const registers = [options.registry];
    this.calls = new Counter({ name: 'spear_hook_calls_total', help: 'Hook calls by hook and outcome (allowed, refused, failed_refused, failed_allowed)', labelNames: ['hook', 'outcome'], registers });
    this.seconds = new Histogram({ name: 'spear_hook_seconds', help: 'Hook call time, failures included', labelNames: ['hook'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers });
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

  private async ask<T extends { allow: boolean }>(name: 'join' | 'publish', payload: object, uid: string, read: (raw: unknown) => T): Promise<T | { allow: boolean }> {
    const hook = this.hooks[name] as HookConfig; // GroupPolicy asks only where the profile check requires the hook
    const stop = this.seconds.startTimer({ hook: name });
    try {
      const answer = read(await this.backend.call(hook.backend, payload, { timeoutMs: hook.timeoutMs, hashKey: uid }));
      this.calls.inc({ hook: name, outcome: answer.allow ? 'allowed' : 'refused' });
      return answer;
    } catch (error) {
      const allow = hook.onFailure === 'allow';
      this.calls.inc({ hook: name, outcome: allow ? 'failed_allowed' : 'failed_refused' });
      const reason = error instanceof BackendCallError ? error.reason : 'malformed answer';
      this.options.logger.warn({ hook: name, reason, err: error instanceof Error ? error.message : String(error), onFailure: hook.onFailure }, 'hook call failed');
      return { allow };
    } finally {
      stop();
    }
  }
}
