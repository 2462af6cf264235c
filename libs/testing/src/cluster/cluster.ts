import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULTS, readRawProfile, type AppName } from '@spear/config';
import { startServiceProcess, type ServiceProcess } from './service-process';
import { waitUntilTicketSeesNodes } from './ticket-sees-nodes';

export interface ClusterOptions {
  /** A profile folder (e.g. from writeClusterProfile) or name. */
  profileDir: string;
  /** Logs go to <dir>/logs. */
  dir: string;
  /** Folder with <app>/main.js bundles; defaults to the workspace's dist/apps. */
  distDir?: string;
  /** Which services to start (default: all five, every spear node of the profile). */
  apps?: AppName[];
  /** Which spear nodes of the profile to start (default: all); others can be started later. */
  spearNodeIds?: string[];
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  /** A limit on open files for every spear node process (see ServiceProcessSpec.openFiles). */
  spearOpenFiles?: number;
}

/** A running Spear cluster of child processes. */
export interface ClusterHandle {
  readonly services: ServiceProcess[];
  readonly ticketUrl: string;
  readonly minionsUrl: string;
  /** The service (or spear node) by name: `ticket`, `spear-spear-1`... */
  service(name: string): ServiceProcess;
  /** Stops every process (graceful, then forced); leaves none behind. */
  stop(): Promise<void>;
}

/** The workspace's bundles, found relative to this file (libs/testing/src/cluster). */
export const WORKSPACE_DIST = resolve(__dirname, '../../../../dist/apps');

/**
 * Where the profile puts a listener, read from the profile as written (its
 * `extends` chain and env overrides), not validated: the services validate it
 * themselves at boot, and a benchmark's baseline is an earlier build whose
 * schema this checkout's may not accept.
 */
interface Listener {
  host: string;
  port: number;
}
const listenerOf = (l: { host?: string; port: number }): Listener => ({ host: l.host ?? DEFAULTS.host, port: l.port });

function listeners(env: NodeJS.ProcessEnv): { http(app: 'idgen' | 'stat' | 'ticket' | 'minions'): Listener; spearNodes: Array<Listener & { id: string }> } {
  const { raw } = readRawProfile({ env });
  const section = (app: string) => raw[app] as { http: { host?: string; port: number }; nodes?: Array<{ id: string; host?: string; port: number }> };
  return { http: (app) => listenerOf(section(app).http), spearNodes: (section('spear').nodes ?? []).map((n) => ({ id: n.id, ...listenerOf(n) })) };
}

const url = (l: { host: string; port: number }) => `http://${l.host}:${l.port}`;

/**
 * Starts idgen, stat, ticket, every spear node and minions as child processes
 * of this one, each with the same profile, and waits until every /healthz
 * answers 200 and ticket lists every spear node started. If one fails, the
 * others are stopped and the error names it.
 */
export async function launchCluster(options: ClusterOptions): Promise<ClusterHandle> {
  const env = { ...process.env, ...options.env, SPEAR_PROFILE: options.profileDir };
  const logDir = join(options.dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const wanted = new Set(options.apps ?? ['idgen', 'stat', 'ticket', 'spear', 'minions']);
  const common = {
    distDir: options.distDir ?? WORKSPACE_DIST,
    profileDir: options.profileDir,
    logDir,
    env: options.env,
    startTimeoutMs: options.startTimeoutMs,
  };
  const specs: Array<{ app: AppName; nodeId?: string; baseUrl: string; openFiles?: number }> = [];
  const profile = listeners(env);
  for (const app of ['idgen', 'stat', 'ticket', 'minions'] as const) {
    if (wanted.has(app)) specs.push({ app, baseUrl: url(profile.http(app)) });
  }
  if (wanted.has('spear')) {
    for (const node of profile.spearNodes) {
      if (!options.spearNodeIds || options.spearNodeIds.includes(node.id)) specs.push({ app: 'spear', nodeId: node.id, baseUrl: url(node), openFiles: options.spearOpenFiles });
    }
  }
  const results = await Promise.allSettled(specs.map((s) => startServiceProcess({ ...common, ...s })));
  const services = results.filter((r): r is PromiseFulfilledResult<ServiceProcess> => r.status === 'fulfilled').map((r) => r.value);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const stop = async () => {
    await Promise.all(services.map((s) => s.stop()));
  };
  if (failed.length > 0) {
    await stop();
    throw new Error(failed.map((f) => (f.reason as Error).message).join('\n'));
  }
  const byName = new Map(services.map((s) => [s.name, s]));
  const ticket = byName.get('ticket');
  const spearIds = specs.flatMap((s) => (s.nodeId ? [s.nodeId] : []));
  if (ticket && spearIds.length > 0) {
    try {
      await waitUntilTicketSeesNodes(ticket.baseUrl, spearIds, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return {
    services,
    ticketUrl: ticket?.baseUrl ?? '',
    minionsUrl: byName.get('minions')?.baseUrl ?? '',
    service(name) {
      const found = byName.get(name);
      if (!found) throw new Error(`no service ${name} in this cluster (have ${[...byName.keys()].join(', ')})`);
      return found;
    },
    stop,
  };
}
