import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser';
import { startTestBed, type TestBed } from './support/engines-and-cluster';

describe('minions dashboard in a real browser', () => {
  let bed: TestBed;
  let browser: Browser;

  beforeAll(async () => {
    [bed, browser] = await Promise.all([startTestBed(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await bed?.close();
  });

  it('shows every registered service instance and the Redis panel at 1280x800', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${bed.cluster.minionsUrl}/`);
    const table = page.getByTestId('topology');
    await table.waitFor({ timeout: 10_000 });
    // Six processes: idgen, stat, ticket, minions and two spear nodes.
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 10_000 }).toBe(6);
    const text = await table.innerText();
    for (const service of ['idgen', 'stat', 'ticket', 'minions', 'spear']) expect(text).toContain(service);
    await expect.poll(() => page.getByText('redis_version').count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: `${bed.dir}/minions.png` });
  });

  it('shows a spear node leave live, and Redis going down as an error, not a blank page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${bed.cluster.minionsUrl}/`);
    const rows = page.getByTestId('topology').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(6);
    await bed.cluster.service('spear-spear-2').stop();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(5);
    await bed.redis.stop();
    await expect.poll(() => page.getByText(/^Redis: /).count(), { timeout: 10_000 }).toBe(1);
  });
});
