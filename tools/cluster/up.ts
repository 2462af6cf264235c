/**
 * The whole local cluster in one command (README's first command):
 * engines of the profile, then idgen, stat, ticket, every spear node and
 * minions. Ctrl-C stops every process this command started.
 *   tsx tools/cluster/up.ts [--profile local]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, readRawProfile } from '@spear/config';
import { launchCluster, type ClusterHandle } from '@spear/testing';
import { enginePorts, ensureEngine, logHint, stopEngine } from '../engines/profile-engines';
import type { EngineName } from '@spear/testing';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = argv.indexOf('--profile');
  const profile = (flag >= 0 ? argv[flag + 1] : undefined) ?? process.env.SPEAR_PROFILE ?? 'local';
  const { source } = readRawProfile({ profile });
  const profileDir = resolve(source, '..');
  const { name, ports } = enginePorts(profileDir);
  const ticket = loadConfig('ticket', { profile: profileDir });
  const engines: EngineName[] = ticket.bus === 'kafka' ? ['zookeeper', 'redis', 'kafka'] : ['zookeeper', 'redis'];

  const started: EngineName[] = [];
  // Read by the signal handler, which may run before the cluster exists.
  const running: { cluster?: ClusterHandle; chat?: ChildProcess } = {};
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[up] ${why}: stopping services, then the engines this command started (${started.join(', ') || 'none'})`);
    running.chat?.kill('SIGTERM');
    await running.cluster?.stop();
    for (const engine of started.reverse()) await stopEngine(engine, name).catch((e) => console.error(`[up] ${engine}: ${(e as Error).message}`));
    console.log('[up] stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  for (const engine of engines) {
    const t0 = Date.now();
    const didStart = await ensureEngine(engine, name, ports);
    if (didStart) started.push(engine);
    console.log(`[up] ${engine}: ${didStart ? `started in ${Date.now() - t0} ms` : 'already running, reused'} on 127.0.0.1:${ports[engine]}`);
  }
  console.log('[up] starting idgen, stat, ticket, spear nodes and minions...');
  const cluster = await launchCluster({ profileDir, dir: resolve(__dirname, '../../.run', name) });
  running.cluster = cluster;
  for (const s of cluster.services) console.log(`[up] ${s.name.padEnd(16)} pid ${String(s.pid).padEnd(8)} ${s.baseUrl}  (log: ${s.logFile})`);
  for (const s of cluster.services) {
    s.child.once('exit', (code, signal) => {
      if (!stopping) console.error(`[up] ${s.name} exited unexpectedly (code ${code}, signal ${signal}); see ${s.logFile}`);
    });
  }
  // The chat example (examples/chat) when the profile routes `chat.` to it, as `local` does.
  const spear = loadConfig('spear', { profile: profileDir }).spear;
  let chatLine = '';
  if (spear.routes.some((r) => 'service' in r.backend && r.backend.service === 'chat')) {
    const chatPort = process.env.CHAT_PORT ?? '8130';
    const log = resolve(__dirname, '../../.run', name, 'logs', 'chat-example.log');
    const chat = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../examples/chat/src/main.ts')], { env: { ...process.env, SPEAR_PROFILE: profileDir, CHAT_PORT: chatPort }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.chat = chat;
    const out = createWriteStream(log);
    chat.stdout.pipe(out);
    chat.stderr.pipe(out);
    chat.once('exit', (code, signal) => {
      if (!stopping) console.error(`[up] the chat example exited (code ${code}, signal ${signal}); see ${log}`);
    });
    console.log(`[up] chat example     pid ${String(chat.pid).padEnd(8)} http://127.0.0.1:${chatPort}/  (log: ${log})`);
    chatLine = `\n  Chat:      http://127.0.0.1:${chatPort}/   (the example app: examples/chat/README.md)`;
  }
  const admin = ticket.secrets.adminKey;
  console.log(`
Spear (${name}) is up. Engines' data and logs: ${logHint(name)}/

  Dashboard: ${cluster.minionsUrl}/   (an operator of minions.operators; the local profile's: admin, password minions)
  Ticket:    ${cluster.ticketUrl}${chatLine}

Issue a token:
  curl -s -X POST ${cluster.ticketUrl}/v1/tokens -H 'Authorization: Bearer ${admin}' -H 'content-type: application/json' -d '{"uid":"alice"}'

Press Ctrl-C to stop everything this command started.`);
}

main().catch((error) => {
  console.error(`[up] failed: ${(error as Error).message}`);
  process.exit(1);
});
