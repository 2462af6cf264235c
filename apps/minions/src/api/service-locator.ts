import type { FastifyReply } from 'fastify';
import { zkPaths } from '@spear/catalog';
import type { Registry } from '@spear/registry';
import { apiError } from '@spear/runtime';

/** Instance data every service registers (see libs/runtime boot). */
interface InstanceData {
  host?: string;
  port?: number;
}

/**
 * Finds a live instance of a service through ZooKeeper, as every other
 * service does: minions needs no address of stat or ticket in its profile.
 */
export class ServiceLocator {
  private next = 0;

  constructor(
    private readonly registry: Registry,
    private readonly overrides: Partial<Record<string, string>> = {},
  ) {}

  /** The base URL of one live instance (round robin); 503 internal naming the service when none runs. */
  async urlOf(app: 'stat' | 'ticket'): Promise<string> {
    const override = this.overrides[app];
    if (override) return override.replace(/\/$/, '');
    const path = zkPaths.instances(app);
    const instances = (await this.registry.list<InstanceData>(path)).filter((e) => e.data?.host && e.data?.port);
    if (instances.length === 0) throw apiError('internal', `${app} is not running (no instance under ${path})`);
    const chosen = instances[this.next++ % instances.length]!.data;
    return `http://${chosen.host}:${chosen.port}`;
  }
}

/** fetch with a deadline: a hung service answers as an error, not a hung dashboard. */
export async function fetchWithin(url: string, timeoutMs: number, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

/** What a service answered, status and body as is, for the dashboard to pass through. */
export interface ServiceAnswer {
  status: number;
  body: string;
}

/** A request to one live instance of `app`; an unreachable or hung service throws 500 internal naming it. */
export async function requestTo(locator: ServiceLocator, app: 'stat' | 'ticket', pathAndQuery: string, init: RequestInit = {}, timeoutMs = 3000): Promise<ServiceAnswer> {
  const base = await locator.urlOf(app);
  try {
    const res = await fetchWithin(`${base}${pathAndQuery}`, timeoutMs, init);
    return { status: res.status, body: await res.text() };
  } catch (error) {
    throw apiError('internal', `${app} at ${base} did not answer: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Sends a service's answer to the browser unchanged (its error codes included). */
export function passThrough(reply: FastifyReply, answer: ServiceAnswer): void {
  void reply.status(answer.status).header('content-type', 'application/json').send(answer.body);
}
