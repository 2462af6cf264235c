import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, headless; never a browser downloaded by a tool. */
export const CHROMIUM = process.env.SPEAR_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
