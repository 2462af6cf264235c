import { spawn, execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, pollUntil, writeClusterProfile } from '@spear/testing';

const repo = resolve(__dirname, '..');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The README's first command, minus install and build (the test target
 * depends on the build): tools/cluster/up.ts on a profile derived from
 * `local` with free ports, so it can run beside a developer's own cluster.
 */
describe('the one-command local cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spear-up-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts engines, six services and the chat example, prints a working token command, and Ctrl-C leaves nothing behind', async () => {
    const [zkPort, redisPort, chatPort] = [await freePort(), await freePort(), await freePort()];
    // As `local` has them (test profiles drop the base's): the chat example's route and connect hook.
    const chat = { routes: [{ match: 'chat.', backend: { service: 'chat', method: 'rpc' } }], hooks: { connect: { backend: { service: 'chat', method: 'hook.connect' }, timeoutMs: 500, onFailure: 'allow' } } };
    const profileDir = await writeClusterProfile({ dir, engines: { zookeeper: `127.0.0.1:${zkPort}`, redisUrl: `redis://127.0.0.1:${redisPort}` }, overrides: { spear: chat } });
    const up = spawn(process.execPath, ['--import', 'tsx', 'tools/cluster/up.ts', '--profile', profileDir], { cwd: repo, env: { ...process.env, CHAT_PORT: String(chatPort) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    up.stdout.on('data', (d) => (output += d));
    up.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('Press Ctrl-C') && Date.now() < deadline && up.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      expect(output, output).toContain('Press Ctrl-C');

      const pids = [...output.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
      expect(pids).toHaveLength(7);
      expect(output).toContain(`Chat:      http://127.0.0.1:${chatPort}/`);
      // The chat page answers once the example is up (it starts beside the cluster).
      const chatPage = await pollUntil(() => fetch(`http://127.0.0.1:${chatPort}/`).then((r) => r.status, () => 0), (status) => status === 200, 30_000);
      expect(chatPage).toBe(200);
      const urls = [...output.matchAll(/(http:\/\/127\.0\.0\.1:\d+)\s+\(log:/g)].map((m) => m[1]!).filter((u) => u !== `http://127.0.0.1:${chatPort}`);
      for (const url of urls) expect((await fetch(`${url}/healthz`)).status, url).toBe(200);
      expect(output).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\//);

      // The printed curl line really issues a token.
      const curl = output.split('\n').find((l) => l.trim().startsWith('curl '))!.trim();
      const answer = JSON.parse(execSync(curl, { encoding: 'utf8' })) as { token: string; uid: string };
      expect(answer.uid).toBe('alice');
      expect(answer.token.length).toBeGreaterThan(20);

      up.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(pids.filter(alive)).toEqual([]);
      // The engines it started are stopped too.
      expect(execSync(`node --import tsx tools/engines/main.ts status zookeeper redis --profile ${profileDir} || true`, { cwd: repo, encoding: 'utf8' })).toMatch(/zookeeper: down[\s\S]*redis: down/);
    } finally {
      if (up.exitCode === null) up.kill('SIGKILL');
    }
  });
});
