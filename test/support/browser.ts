import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless; never a browser downloaded by a tool. */
export const CHROMIUM = process.env.SPEAR_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Opens the dashboard and logs in as the operator (the test profiles' secrets.minionsPassword). */
export async function logInToMinions(page: Page, minionsUrl: string): Promise<void> {
  await page.goto(`${minionsUrl}/`);
  await page.getByLabel('password').fill('minions');
  await page.getByRole('button', { name: 'log in' }).click();
  await page.getByTestId('topology').waitFor({ timeout: 10_000 });
}
