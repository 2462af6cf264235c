import { chromium, type Browser, type Page } from 'playwright-core';
import { DEV_OPERATOR } from './minions-api';

/** Debian's Chromium, headless; never a browser downloaded by a tool. */
export const CHROMIUM = process.env.SPEAR_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Opens the dashboard and logs in as the local profile's development operator (test profiles derive from local). */
export async function logInToMinions(page: Page, minionsUrl: string): Promise<void> {
  await page.goto(`${minionsUrl}/`);
  await page.getByLabel('operator name').fill(DEV_OPERATOR.name);
  await page.getByLabel('password').fill(DEV_OPERATOR.password);
  await page.getByRole('button', { name: 'log in' }).click();
  await page.getByTestId('topology').waitFor({ timeout: 10_000 });
}
