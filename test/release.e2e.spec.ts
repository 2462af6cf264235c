import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, pollUntil, startRedis, startZooKeeper, type RedisHandle, type ZooKeeperHandle } from '@spear/testing';
import { assertPortFree, cleanEnv, readInstances, readPid, REPO_ROOT, run, runReleaseTool, type RunResult } from './support/release-helpers';

// test1 takes its secrets from the environment, as a real deployment does.
const SECRETS = { SPEAR_CLUSTER_SECRET: 'release-e2e-cluster-secret-0123456789', SPEAR_ZK_PASSWORD: 'release-e2e-zookeeper-password', SPEAR_ADMIN_KEY: 'release-e2e-admin-key', SPEAR_TICKET_SECRET: 'release-e2e-ticket-secret-0123456789' };
const APPS = ['ticket', 'spear'] as const;
const output = (r: RunResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;


/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesUnder(join(dir, f)) : [join(dir, f)]));
}

describe('the test1 release of ticket and spear, run from a copy outside the repository', () => {
  let dir: string;
  let zk: ZooKeeperHandle | undefined;
  let redis: RedisHandle | undefined;
  let env: NodeJS.ProcessEnv;
  const releaseDir = (app: string) => join(dir, 'copy', app);
  const script = (app: string, name: 'start' | 'stop', args: string[] = []) =>
    // From / on purpose: the scripts must not depend on the working directory.
    run(join(releaseDir(app), 'bin', `${name}.sh`), args, { cwd: '/', env });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spear-release-e2e-'));
    const built = join(dir, 'built');
    // Overrides in the builder's shell must not end up in the release.
    const builderEnv = cleanEnv({ ...SECRETS, SPEAR_REDIS_URL: 'redis://10.9.9.9:6379' });
    for (const app of APPS) {
      const result = await runReleaseTool([app, '--profile=test1', `--out=${built}`], builderEnv);
      expect(result.code, output(result)).toBe(0);
    }
    // Only the copy runs; removing the original shows nothing points back at it.
    cpSync(join(built, 'test1'), join(dir, 'copy'), { recursive: true });
    rmSync(built, { recursive: true, force: true });
    for (const app of APPS) for (const i of readInstances(releaseDir(app))) await assertPortFree(i.port, `test1 ${i.name}`);

    [zk, redis] = await Promise.all([startZooKeeper({ dir: join(dir, 'zookeeper') }), startRedis({ dir: join(dir, 'redis') })]);
    env = cleanEnv({
      ...SECRETS,
      SPEAR_ZK_CONNECT: zk.connectString,
      SPEAR_REDIS_URL: `${redis.url}/1`,
      // Should this test process die, the services it started follow it instead of holding test1's ports.
      SPEAR_PARENT_PID: String(process.pid),
    });
  });

  afterAll(async () => {
    for (const app of APPS) if (env && existsSync(releaseDir(app))) await script(app, 'stop');
    await Promise.all([redis?.stop(), zk?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the bundle, the profile as the files say it, the scripts, VERSION and README', () => {
    for (const app of APPS) {
      const d = releaseDir(app);
      for (const f of ['app/main.js', 'app/main.js.map', 'config/profile.json', 'config/instances', 'VERSION', 'README.txt']) expect(existsSync(join(d, f)), `${app}/${f}`).toBe(true);
      for (const f of ['bin/start.sh', 'bin/stop.sh', 'bin/map-stack.mjs']) expect(statSync(join(d, f)).mode & 0o111, `${app}/${f} executable`).not.toBe(0);
      const profile = JSON.parse(readFileSync(join(d, 'config/profile.json'), 'utf8')) as Record<string, unknown>;
      expect(profile).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'profiles/test1/profile.json'), 'utf8')));
      expect(profile.secrets).toBeUndefined();
      expect(readFileSync(join(d, 'README.txt'), 'utf8')).toMatch(/SPEAR_CLUSTER_SECRET/);
      // The source maps name sources relative to the build; nothing else may name the repository.
      for (const f of filesUnder(d).filter((f) => !f.endsWith('.map'))) expect(readFileSync(f, 'utf8').includes(REPO_ROOT), f).toBe(false);
    }
    expect(readInstances(releaseDir('ticket'))).toEqual([{ name: 'ticket', host: '127.0.0.1', port: 18090 }]);
    expect(readInstances(releaseDir('spear')).map((i) => [i.nodeId, i.port])).toEqual([
      ['t1-spear-1', 18101],
      ['t1-spear-2', 18102],
    ]);
  });

  it("maps a logged stack's main.js frames to the TypeScript sources, leaving other lines as they were", async () => {
    const d = releaseDir('spear');
    // Where the bundle defines runService (libs/runtime/src/boot.ts), as V8 would print it (1-based).
    const lines = readFileSync(join(d, 'app/main.js'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.startsWith('async function runService('));
    expect(line, 'runService in the bundle').toBeGreaterThan(0);
    const trace = [
      'Error: boom',
      `    at runService (${d}/app/main.js:${line + 1}:1)`,
      '    at process.exit (node:internal/process/per_thread:236:15)',
      `    at elsewhere (${d}/app/main.js:${lines.length + 100}:1)`,
    ].join('\n');
    const mapped = await run(join(d, 'bin', 'map-stack.mjs'), [], { cwd: '/', env, input: trace });
    expect(mapped.code, output(mapped)).toBe(0);
    expect(mapped.stdout.split('\n')).toEqual([
      'Error: boom',
      expect.stringMatching(/^ {4}at runService \(libs\/runtime\/src\/boot\.ts:\d+:\d+\)$/),
      '    at process.exit (node:internal/process/per_thread:236:15)',
      `    at elsewhere (${d}/app/main.js:${lines.length + 100}:1)`, // past the bundle: nothing maps there
    ]);
  });

  it('names the Node it needs and refuses an older one', async () => {
    // A stand-in for an old runtime: answers the version probe as Node 20 would.
    const old = join(dir, 'node20');
    writeFileSync(old, '#!/bin/sh\n[ "$1" = "--version" ] && echo v20.20.2 && exit 0\necho 20\n', { mode: 0o755 });
    const refused = await run(join(releaseDir('ticket'), 'bin', 'start.sh'), [], { cwd: '/', env: { ...env, SPEAR_NODE_BIN: old } });
    expect(refused.code, output(refused)).not.toBe(0);
    expect(refused.stderr).toContain('Node.js 24 or later is needed');
    expect(refused.stderr).toContain('v20.20.2');
  });

  it('starts ticket and both spear nodes, refuses a second copy, and stops leaving nothing behind', async () => {
    for (const app of APPS) {
      const started = await script(app, 'start');
      expect(started.code, output(started)).toBe(0);
    }
    const instances = APPS.flatMap((app) => readInstances(releaseDir(app)).map((i) => ({ ...i, app })));
    for (const i of instances) expect((await fetch(`http://${i.host}:${i.port}/healthz`)).status, i.name).toBe(200);

    const nodes = async () => ((await (await fetch('http://127.0.0.1:18090/v1/nodes')).json()) as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id).sort();
    expect(await pollUntil(nodes, (ids) => ids.length === 2)).toEqual(['t1-spear-1', 't1-spear-2']);

    const again = await script('ticket', 'start');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/ticket is already running \(pid \d+\)/);

    const pids = instances.map((i) => readPid(releaseDir(i.app), i.name));
    expect(pids.filter(isAlive)).toEqual(pids);
    // Without SPEAR_SOURCE_MAPS=1 the processes run without source maps (bin/map-stack.mjs maps a stack instead).
    for (const pid of pids) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(argv.some((arg) => arg.endsWith('/app/main.js')), argv.join(' ')).toBe(true);
      expect(argv).not.toContain('--enable-source-maps');
      // V8's memory reducer would stop the process for a full compaction every ~100 s under steady traffic.
      expect(argv).toContain('--no-memory-reducer');
    }
    expect(readFileSync(join(releaseDir('ticket'), 'logs/ticket.log'), 'utf8')).toMatch(/ticket ready/);

    // Spear nodes first: a graceful stop unregisters them, so ticket stops listing them at once.
    const stopped = await script('spear', 'stop');
    expect(stopped.code, output(stopped)).toBe(0);
    expect(await pollUntil(nodes, (ids) => ids.length === 0, 5_000)).toEqual([]); // well before the 10 s ZooKeeper session timeout
    expect((await script('ticket', 'stop')).code).toBe(0);

    expect(pids.filter(isAlive)).toEqual([]);
    for (const app of APPS) expect(readdirSync(join(releaseDir(app), 'run'))).toEqual([]);
    const repeated = await script('ticket', 'stop');
    expect(repeated.code, output(repeated)).toBe(0);
    for (const i of instances) await assertPortFree(i.port, `${i.name} after stop`);
  });
});

describe('the release tool', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'spear-release-bad-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** A profile folder extending test1 with `over` on top. */
  function profileDir(name: string, over: Record<string, unknown>): string {
    const d = join(tmp, name);
    mkdirSync(d);
    writeFileSync(join(d, 'profile.json'), JSON.stringify({ extends: join(REPO_ROOT, 'profiles/test1'), ...over }));
    return d;
  }

  it('fails on a bad profile value, naming the field, and writes nothing', async () => {
    const out = join(tmp, 'out');
    const badPort = await runReleaseTool(['ticket', `--profile=${profileDir('bad-port', { ticket: { http: { port: 70000 } } })}`, `--out=${out}`]);
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toMatch(/release failed: .*ticket\.http\.port/);
    // A secret the files do hold is validated as it is, not replaced by a placeholder.
    const badSecret = await runReleaseTool(['spear', `--profile=${profileDir('bad-secret', { secrets: { adminKey: 'short' } })}`, `--out=${out}`]);
    expect(badSecret.code).toBe(1);
    expect(badSecret.stderr).toMatch(/secrets\.adminKey: admin key must be at least 8 characters/);
    expect(existsSync(out)).toBe(false);
  });

  it('fails clearly when the app was not built', async () => {
    const result = await runReleaseTool(['ticket', 'test1', `--dist=${join(tmp, 'no-dist')}`, `--out=${join(tmp, 'out2')}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the ticket bundle is missing .*npx nx run ticket:build/);
  });
});
