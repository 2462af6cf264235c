import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHeaders, until } from '@spear/testing';
import { launchBrowser, logInToMinions } from './support/browser';
import { sameOrigin } from './support/minions-api';
import { E2E_BUSES, printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { pushToGroup, sdkUser, uidOn, type Recorded } from './support/sdk-helpers';

const SHOTS = join(process.env.SPEAR_TEST_RESULTS ?? join(process.cwd(), '.run', 'test-results'), 'screenshots');
/** A `members` namespace of the local profile: only members may join or publish. */
const GROUP = 'room:ui-watch';
/** The watch listens on the bus as a node of its own: on Kafka (its own consumer group) when the run covers Kafka, the harder case. */
const WATCH_BUS = E2E_BUSES.includes('kafka') ? 'kafka' : 'redis';

/** #17: the group page (members, online, traffic), the live watch and kicking from the dashboard, in a real browser. */
describe(`minions group page in a real browser (two spear nodes, ${WATCH_BUS} bus)`, () => {
  let bed: TestBed;
  let browser: Browser;
  let page: Page;
  const clients: Recorded[] = [];
  let alice: Recorded;
  let bob: Recorded;
  const bobKicked: string[] = [];
  const admin = (method: string, path: string) => fetch(`${bed.cluster.ticketUrl}${path}`, { method, headers: adminHeaders() });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [bed, browser] = await Promise.all([startTestBed({ bus: WATCH_BUS }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const [aliceUid, bobUid] = [await uidOn(bed, 'spear-1', 'gp-alice'), await uidOn(bed, 'spear-2', 'gp-bob')];
    for (const uid of [aliceUid, bobUid, 'gp-carol']) expect((await admin('PUT', `/v1/groups/${GROUP}/members/${uid}`)).status).toBe(204);
    // Connected after the memberships: each is in the group from ready on, on its own node.
    [alice, bob] = [await sdkUser(bed, aliceUid), await sdkUser(bed, bobUid)];
    clients.push(alice, bob);
    bob.client.on('kicked', (e) => void bobKicked.push(e.reason));
    expect(alice.client.session?.groups).toEqual([GROUP]);
    await logInToMinions(page, bed.cluster.minionsUrl);
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const c of clients) c.client.close();
    await browser?.close();
    await bed?.close();
  });

  it('shows a group\'s policy, members (paged) and online users', async () => {
    await page.getByRole('button', { name: 'Groups' }).click();
    await page.getByLabel('group name').fill(GROUP);
    await page.getByRole('button', { name: 'open group' }).click();
    const figures = page.getByTestId('group-figures');
    await expect.poll(() => figures.innerText(), { timeout: 10_000 }).toMatch(/members\s+3\s+online\s+2/);
    expect(await page.getByTestId('group-page').innerText()).toContain('members'); // the namespace's policy badge
    const members = page.getByTestId('group-members');
    await expect.poll(() => members.innerText(), { timeout: 10_000 }).toContain('gp-carol');
    for (const c of [alice, bob]) expect(await members.innerText()).toContain(c.client.session!.uid);
  });

  it('watches the group live without joining it: history first, then each message as it is published, from both nodes', async () => {
    await pushToGroup(bed.cluster.ticketUrl, GROUP, { text: 'before the watch' });
    await page.getByRole('button', { name: 'watch', exact: true }).click();
    const watch = page.getByTestId('group-watch');
    await expect.poll(() => page.getByTestId('watch-state').innerText(), { timeout: 15_000 }).toBe('live');
    await watch.getByText('before the watch').waitFor({ timeout: 10_000 });
    expect(await watch.innerText()).toMatch(/history\s+system: before the watch/);

    await alice.client.publish(GROUP, { text: 'live from alice' });
    await bob.client.publish(GROUP, { text: 'live from bob' });
    await watch.getByText('live from alice').waitFor({ timeout: 5000 });
    await watch.getByText('live from bob').waitFor({ timeout: 5000 });
    expect(await watch.innerText()).toMatch(/live\s+gp-alice-\d+: live from alice/);
    // The dashboard is no user: the group's online count is still the two SDK users.
    expect(await page.getByTestId('group-figures').innerText()).toMatch(/online\s+2/);
  });

  it('charts the group\'s traffic with a time axis and the value under the pointer, and lists it among the busiest', async () => {
    for (let i = 0; i < 10; i++) await alice.client.publish(GROUP, { text: `burst ${i}` });
    const chart = page.getByTestId('group-traffic');
    await expect.poll(async () => /max (\d+)/.exec(await chart.innerText())?.[1], { timeout: 10_000 }).toMatch(/^[1-9]\d*$/);
    const axisLabels = await chart.locator('text.chart-axis').allTextContents();
    expect(axisLabels.some((t) => /^\d{2}:\d{2}:\d{2}$/.test(t))).toBe(true); // clock times on the x axis
    const box = (await chart.locator('svg').boundingBox())!;
    await page.mouse.move(box.x + box.width - 12, box.y + box.height / 2);
    await expect.poll(() => chart.getByRole('tooltip').innerText()).toMatch(/^\d{2}:\d{2}:\d{2} · \d+/);
    await expect.poll(() => page.getByTestId('busiest-groups').innerText(), { timeout: 10_000 }).toContain(GROUP);
    await page.screenshot({ path: join(SHOTS, 'minions-group-page.png'), fullPage: true });
  });

  it('kicks a user from the dashboard: its connection is closed within 1 s and the SDK does not come back', async () => {
    const bobUid = bob.client.session!.uid;
    const clicked = Date.now();
    await page.getByRole('button', { name: `kick ${bobUid}` }).click();
    await until(() => bobKicked.length > 0, 1000);
    console.log(`kicked ${Date.now() - clicked} ms after the click`);
    expect(bobKicked).toEqual(['kicked by an operator']);
    await expect.poll(() => page.getByTestId('kick-note').innerText()).toContain(`kicked ${bobUid}`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(bob.events.filter((e) => e.startsWith('reconnect'))).toEqual([]);
    await expect.poll(() => page.getByTestId('group-figures').innerText(), { timeout: 10_000 }).toMatch(/online\s+1/);
  });

  it('answers bad names and a stopped stat with clear errors, not a blank page', async () => {
    const res = await page.request.get(`${bed.cluster.minionsUrl}/api/groups/bad%20name`);
    expect(res.status()).toBe(400);
    expect((await page.request.post(`${bed.cluster.minionsUrl}/api/users/bad%20uid/disconnect`, { headers: sameOrigin(bed.cluster.minionsUrl) })).status()).toBe(400);
    expect((await page.request.get(`${bed.cluster.minionsUrl}/api/groups/${GROUP}/members?limit=0`)).status()).toBe(400);
    // Without the operator's cookie nothing opens.
    for (const path of [`/api/groups/${GROUP}`, `/api/groups/${GROUP}/watch`, `/api/groups/${GROUP}/members`]) expect((await fetch(`${bed.cluster.minionsUrl}${path}`)).status, path).toBe(401);
    expect((await fetch(`${bed.cluster.minionsUrl}/api/users/x/disconnect`, { method: 'POST', headers: sameOrigin(bed.cluster.minionsUrl) })).status).toBe(401);
    await bed.cluster.service('stat').stop();
    await expect.poll(() => page.getByTestId('group-page').getByText(/stat .* not running|did not answer/).count(), { timeout: 10_000 }).toBe(1);
  });
});
