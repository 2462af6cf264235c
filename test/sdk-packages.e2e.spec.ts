import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@spear/config';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';

const ROOT = resolve(__dirname, '..');

/** An app outside the workspace: a backend method answering an rpc, two clients talking, a push from the backend. */
const APP = `
import { serveBackend } from '@spear/backend';
import { connect } from '@spear/client';

const [zkConnect, zkRoot, ticketUrl, adminKey] = process.argv.slice(2);
const backend = await serveBackend({
  name: 'scratch',
  zookeeper: { connect: zkConnect, root: zkRoot, password: process.env.SPEAR_ZK_PASSWORD },
  clusterSecret: process.env.SPEAR_CLUSTER_SECRET,
  methods: { 'scratch.hello': (call) => 'hello ' + call.uid },
  push: { ticketUrl, adminKey },
});
const token = async (uid) => {
  const res = await fetch(ticketUrl + '/v1/tokens', { method: 'POST', headers: { authorization: 'Bearer ' + adminKey, 'content-type': 'application/json' }, body: JSON.stringify({ uid }) });
  return (await res.json()).token;
};
const alice = await connect({ ticketUrl, uid: 'scratch-alice', token: await token('scratch-alice') });
const bob = await connect({ ticketUrl, uid: 'scratch-bob', token: await token('scratch-bob') });
const received = [];
const both = new Promise((resolve) => bob.on('msg', (m) => { received.push({ from: m.from, body: m.body }); if (received.length === 2) resolve(); }));
const hello = await alice.rpc('scratch.hello');
await alice.send('scratch-bob', { text: 'from outside the repo' });
await backend.push.toUsers(['scratch-bob'], { text: 'pushed by the backend' });
await Promise.race([both, new Promise((_, reject) => setTimeout(() => reject(new Error('bob got ' + JSON.stringify(received))), 10000))]);
alice.close();
bob.close();
await backend.close();
console.log(JSON.stringify({ hello, received }));
process.exit(0);
`;

/** The same app typed: the packages' declarations must serve a TypeScript consumer. */
const TYPED = `
import { BackendError, serveBackend, type RpcCall } from '@spear/backend';
import { connect, SpearError, type MsgEvent } from '@spear/client';
export async function typed(ticketUrl: string): Promise<string> {
  const backend = await serveBackend({ name: 'x', zookeeper: { connect: 'h:1', root: '/r', password: 'p' }, clusterSecret: 's', methods: { 'x.y': (c: RpcCall) => c.uid } });
  const client = await connect({ ticketUrl, uid: 'u', token: 't' });
  client.on('msg', (m: MsgEvent) => void m.id);
  const answer: number = await client.rpc<number>('x.y');
  await backend.close();
  return String(answer) + String(new BackendError('a_code') instanceof Error) + String(SpearError.name);
}
`;

/** #16: the SDKs as an app outside this workspace installs them (npm pack, then npm install of the tarballs). */
describe('the packed SDKs in a scratch project outside the repo, against a cluster', () => {
  let bed: TestBed;
  let scratch: string;

  beforeAll(async () => {
    bed = await startTestBed({ bus: 'redis', overrides: { spear: { routes: [{ match: 'scratch.', backend: { service: 'scratch', method: 'rpc' }, timeoutMs: 3000 }] } } });
    scratch = mkdtempSync(join(tmpdir(), 'spear-scratch-app-'));
    const tarballs = ['client', 'backend'].map((sdk) => execFileSync(process.execPath, [join(ROOT, 'tools/pack/pack-sdk.mjs'), sdk, join(scratch, 'packs')], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1)!);
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs], { cwd: scratch, stdio: 'inherit', timeout: 240_000 });
  }, 300_000);
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    await bed?.close();
  });

  it('a backend method answers an rpc, a client sends and another receives, the backend pushes as svc:<name>', () => {
    const { zookeeper, secrets } = loadConfig('ticket', { profile: bed.profileDir });
    writeFileSync(join(scratch, 'app.mjs'), APP);
    // The internal planes' secrets reach the app as a deployment gives them: from the environment.
    const env = { ...process.env, SPEAR_ZK_PASSWORD: secrets.zookeeperPassword, SPEAR_CLUSTER_SECRET: secrets.clusterSecret };
    const out = execFileSync(process.execPath, ['app.mjs', zookeeper.connect, zookeeper.root, bed.cluster.ticketUrl, secrets.adminKey], { cwd: scratch, env, encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      hello: 'hello scratch-alice',
      received: expect.arrayContaining([
        { from: 'scratch-alice', body: { text: 'from outside the repo' } },
        { from: 'svc:scratch', body: { text: 'pushed by the backend' } },
      ]),
    });
  });

  it('their type declarations serve a TypeScript app (strict, Node ESM resolution)', () => {
    writeFileSync(join(scratch, 'typed.ts'), TYPED);
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), 'typed.ts'], { cwd: scratch, encoding: 'utf8' });
  });
});
