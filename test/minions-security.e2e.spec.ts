import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashOperatorPassword } from '@spear/config';
import { adminHeaders } from '@spear/testing';
import { launchBrowser, logInToMinions } from './support/browser';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { DEV_OPERATOR, minionsLogin, sameOrigin } from './support/minions-api';

const SHOTS = join(process.env.SPEAR_TEST_RESULTS ?? join(process.cwd(), '.run', 'test-results'), 'screenshots');
/** A second operator, so the audit log has two names to tell apart. */
const OPS = { name: 'ops', password: 'a-longer-operator-password' };
const GROUP = 'room:sec-audit';

interface AuditEntry {
  id: string;
  at: number;
  operator: string;
  action: string;
  target: string;
  ip: string;
  outcome: string;
  status: number;
  detail?: string;
}

/** #19: the dashboard's operator accounts, revocable sessions, Origin check, audit log and simulator limits, against a running cluster. */
describe('minions security: operators, sessions, Origin check, audit log', () => {
  let bed: TestBed;
  let url: string;
  let adminCookie: string;

  /** A dashboard API call with a session cookie, from the dashboard's own origin unless `headers` says otherwise. */
  const call = (cookie: string, method: string, path: string, body?: unknown, headers: Record<string, string> = sameOrigin(url)) =>
    fetch(`${url}${path}`, { method, headers: { cookie, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
  const audit = async (query: Record<string, string>) => {
    const res = await call(adminCookie, 'GET', `/api/audit?${new URLSearchParams(query).toString()}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { entries: AuditEntry[]; next: string | null; actions: string[] };
  };
  const members = async () => ((await (await fetch(`${bed.cluster.ticketUrl}/v1/groups/${GROUP}/members`, { headers: adminHeaders() })).json()) as { members: string[] }).members;

  beforeAll(async () => {
    const local = JSON.parse(readFileSync(join(__dirname, '../profiles/local/profile.json'), 'utf8')) as { minions: { operators: unknown[] } };
    const admin = local.minions.operators[0];
    // The local profile's admin, and one more operator with a hash made here.
    const operators = [admin, { name: OPS.name, passwordHash: await hashOperatorPassword(OPS.password) }];
    bed = await startTestBed({ apps: ['idgen', 'ticket', 'minions'], overrides: { minions: { operators } } });
    url = bed.cluster.minionsUrl;
    adminCookie = await minionsLogin(url);
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    await bed?.close();
  });

  it('refuses a wrong password or an unknown name alike, and audits both with the name tried, the address and why', async () => {
    for (const attempt of [{ name: 'admin', password: 'not-it' }, { name: 'mallory', password: 'minions' }]) {
      const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...sameOrigin(url) }, body: JSON.stringify(attempt) });
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toEqual({ code: 'unauthorized', message: 'wrong name or password' });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const refused = (await audit({ action: 'login' })).entries.filter((e) => e.outcome === 'refused');
    expect(refused.slice(0, 2)).toMatchObject([
      { operator: 'mallory', action: 'login', status: 401, detail: 'no such operator', ip: '127.0.0.1' },
      { operator: 'admin', action: 'login', status: 401, detail: 'wrong password', ip: '127.0.0.1' },
    ]);
  });

  it('logs an operator in with a random HttpOnly, SameSite=Strict session cookie (Secure only over HTTPS), audited', async () => {
    // X-Forwarded-Proto is not believed: minions.trustProxy is off in this profile.
    const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', ...sameOrigin(url) }, body: JSON.stringify(OPS) });
    expect(res.status).toBe(204);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^minions_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/);
    const cookie = setCookie.split(';')[0]!;
    expect(cookie).not.toBe(await minionsLogin(url, OPS)); // a new id at every login
    expect(await (await call(cookie, 'GET', '/api/session')).json()).toEqual({ authenticated: true, operator: 'ops' });
    expect((await audit({ action: 'login', operator: 'ops' })).entries[0]).toMatchObject({ outcome: 'ok', status: 204 });
  });

  it('refuses a state-changing call from another origin with 403 cross_origin, and one naming no origin with 403 origin_required, while the same call from its own origin works', async () => {
    const path = `/api/groups/${GROUP}/members/sec-carol`;
    const evil = await call(adminCookie, 'PUT', path, undefined, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(await errorOf(evil)).toMatchObject({ code: 'cross_origin' });
    const evilReferer = await call(adminCookie, 'PUT', path, undefined, { referer: 'https://evil.example/page' });
    expect(evilReferer.status).toBe(403);
    const none = await call(adminCookie, 'PUT', path, undefined, {});
    expect(none.status).toBe(403);
    expect(await errorOf(none)).toEqual({ code: 'origin_required', message: expect.stringContaining(`Origin: ${new URL(url).origin}`) });
    // Logging in from another origin is refused too (no session is handed to a cross-site form).
    expect((await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify(DEV_OPERATOR) })).status).toBe(403);
    expect(await members()).toEqual([]); // nothing refused was done

    expect((await call(adminCookie, 'PUT', path)).status).toBe(204);
    expect(await members()).toEqual(['sec-carol']);
    // A Referer of the dashboard's own pages stands in for a missing Origin.
    expect((await call(adminCookie, 'DELETE', path, undefined, { referer: `${url}/` })).status).toBe(204);
    expect(await members()).toEqual([]);
    // Reads need no Origin.
    expect((await call(adminCookie, 'GET', '/api/audit', undefined, {})).status).toBe(200);
  });

  it('records membership changes and kicks in the audit log with the operator, target, address and outcome', async () => {
    const ops = await minionsLogin(url, OPS);
    expect((await call(ops, 'PUT', `/api/groups/${GROUP}/members/sec-dave`)).status).toBe(204);
    expect((await call(ops, 'POST', '/api/users/sec-dave/disconnect', { reason: 'audit check' })).status).toBe(204);
    expect((await call(adminCookie, 'DELETE', `/api/groups/${GROUP}/members/sec-dave`)).status).toBe(204);
    expect((await call(adminCookie, 'POST', '/api/users/bad%20uid/disconnect')).status).toBe(400);

    const byOps = (await audit({ operator: 'ops', target: 'sec-dave' })).entries;
    expect(byOps.map((e) => [e.action, e.target, e.outcome, e.status])).toEqual([
      ['user.kick', 'sec-dave', 'ok', 204],
      ['group.member.add', `${GROUP}/sec-dave`, 'ok', 204],
    ]);
    for (const e of byOps) {
      expect(e.ip).toBe('127.0.0.1');
      expect(Date.now() - e.at).toBeLessThan(60_000);
    }
    expect((await audit({ action: 'group.member.remove', target: 'sec-dave' })).entries).toMatchObject([{ operator: 'admin', outcome: 'ok' }]);
    expect((await audit({ action: 'user.kick', target: 'bad uid' })).entries[0]).toMatchObject({ operator: 'admin', outcome: 'refused', status: 400 });
  });

  it('will not mint a token for a reserved uid, and audits every token it mints or refuses', async () => {
    for (const uid of ['svc:billing', 'system']) {
      const res = await call(adminCookie, 'POST', '/api/sim/token', { uid });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toEqual({ code: 'reserved_uid', message: expect.stringContaining('reserved uid') });
    }
    const ok = await call(adminCookie, 'POST', '/api/sim/token', { uid: 'sec-sim-user' });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { token: string }).token.length).toBeGreaterThan(10);
    const tokens = (await audit({ action: 'sim.token' })).entries;
    expect(tokens.map((e) => [e.target, e.outcome])).toEqual([
      ['sec-sim-user', 'ok'],
      ['system', 'refused'],
      ['svc:billing', 'refused'],
    ]);
  });

  it('serves the audit log in bounded pages, newest first', async () => {
    const first = await audit({ limit: '3' });
    expect(first.entries).toHaveLength(3);
    expect(first.actions).toContain('user.kick');
    const second = await audit({ limit: '3', before: first.next! });
    expect(second.entries[0]!.at).toBeLessThanOrEqual(first.entries[2]!.at);
    expect(new Set([...first.entries, ...second.entries].map((e) => e.id)).size).toBe(6);
    expect((await call(adminCookie, 'GET', '/api/audit?limit=501')).status).toBe(400);
    expect((await call(adminCookie, 'GET', '/api/audit?action=drop')).status).toBe(400);
  });

  it('ends a session at logout: the old cookie is refused at once, other sessions live on', async () => {
    const doomed = await minionsLogin(url);
    expect((await call(doomed, 'GET', '/api/topology')).status).toBe(200);
    const out = await call(doomed, 'POST', '/api/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^minions_session=; .*Max-Age=0/);
    // Replayed by anyone who kept it: dead.
    expect((await call(doomed, 'GET', '/api/topology')).status).toBe(401);
    expect((await call(doomed, 'PUT', `/api/groups/${GROUP}/members/sec-erin`)).status).toBe(401);
    expect(await (await call(doomed, 'GET', '/api/session')).json()).toEqual({ authenticated: false });
    expect((await call(adminCookie, 'GET', '/api/topology')).status).toBe(200);
    expect((await audit({ action: 'logout' })).entries[0]).toMatchObject({ operator: 'admin', outcome: 'ok' });
  });

  it('shows the audit log in the dashboard\'s Audit tab, filtered', async () => {
    mkdirSync(SHOTS, { recursive: true });
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await logInToMinions(page, url);
      await page.getByRole('button', { name: 'Audit' }).click();
      const table = page.getByTestId('audit-table');
      await expect.poll(() => table.innerText(), { timeout: 10_000 }).toContain('group.member.add');
      await page.getByLabel('audit operator').fill('ops');
      await page.getByLabel('audit action').selectOption('user.kick');
      await page.getByRole('button', { name: 'search' }).click();
      await expect.poll(() => table.locator('tbody tr').count(), { timeout: 10_000 }).toBe(1);
      expect(await table.locator('tbody tr').innerText()).toMatch(/ops\s+user\.kick\s+sec-dave\s+ok 204\s+127\.0\.0\.1/);
      await page.screenshot({ path: join(SHOTS, 'minions-audit.png'), fullPage: true });
      // Logging out from the header ends the session: a reload shows the login again.
      await page.getByRole('button', { name: 'log out' }).click();
      await page.getByLabel('operator name').waitFor({ timeout: 10_000 });
      await page.reload();
      await page.getByLabel('operator name').waitFor({ timeout: 10_000 });
    } finally {
      await browser?.close();
    }
  });
});
