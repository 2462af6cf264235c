import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@spear/testing';
import { launchBrowser } from './support/browser';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { sdkUser, uidOn } from './support/sdk-helpers';

const ROOT = resolve(__dirname, '..');

/** #16: examples/chat, the chat seed as an app on Spear (libs/backend + libs/client), with its route and connect hook on. */
describe('the chat example in a real browser (two spear nodes)', () => {
  let bed: TestBed;
  let chat: ChildProcess;
  let chatUrl: string;
  let browser: Browser;
  const pages: Page[] = [];

  /** A browser page logged in as `uid`; resolves once the chat shows. */
  async function logIn(uid: string): Promise<Page> {
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(chatUrl);
    await page.getByLabel('your uid').fill(uid);
    await page.getByRole('button', { name: 'log in' }).click();
    await page.getByTestId('node').filter({ hasText: /spear-\d/ }).waitFor({ timeout: 15_000 });
    return page;
  }
  const send = async (page: Page, to: string, kind: string, payload?: object) => {
    await page.getByLabel('to').fill(to);
    await page.getByLabel('kind').selectOption(kind);
    if (payload) await page.getByLabel('message').fill(JSON.stringify(payload));
    await page.getByRole('button', { name: 'send' }).click();
  };

  beforeAll(async () => {
    bed = await startTestBed({
      bus: 'redis',
      overrides: {
        spear: {
          routes: [{ match: 'chat.', backend: { service: 'chat', method: 'rpc' }, timeoutMs: 3000 }],
          hooks: { connect: { backend: { service: 'chat', method: 'hook.connect' }, timeoutMs: 2000, onFailure: 'refuse' } },
        },
      },
    });
    const port = await freePort();
    chatUrl = `http://127.0.0.1:${port}/`;
    chat = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'examples/chat/src/main.ts')], { cwd: ROOT, env: { ...process.env, SPEAR_PROFILE: bed.profileDir, CHAT_PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ok, fail) => {
      chat.stdout!.on('data', (d: Buffer) => d.toString().includes('chat example up') && ok());
      chat.once('exit', (code) => fail(new Error(`the chat example exited (${code})`)));
    });
    browser = await launchBrowser();
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    await browser?.close();
    chat?.kill('SIGTERM');
    await bed?.close();
  });

  it('two users on different nodes chat 1:1 and in a room, with typed messages; a malformed one is refused by the backend', async () => {
    const [aliceUid, bobUid] = [await uidOn(bed, 'spear-1', 'chat-alice'), await uidOn(bed, 'spear-2', 'chat-bob')];
    const [alice, bob] = [await logIn(aliceUid), await logIn(bobUid)];
    expect(await alice.getByTestId('node').innerText()).toBe('spear-1');
    expect(await bob.getByTestId('node').innerText()).toBe('spear-2');

    await send(alice, bobUid, 'text', { text: 'hi bob' });
    await bob.getByTestId('messages').getByText(`${aliceUid}: hi bob`).waitFor({ timeout: 10_000 });

    for (const page of [alice, bob]) {
      await page.getByLabel('room').fill('lobby');
      await page.getByRole('button', { name: 'join room' }).click();
      await expect.poll(() => page.getByTestId('rooms').innerText(), { timeout: 10_000 }).toBe('lobby');
    }
    await send(bob, '#lobby', 'news');
    for (const page of [alice, bob]) await page.getByTestId('messages').getByText(`#lobby ${bobUid}: 📰 Spear 1.1 is out`).waitFor({ timeout: 10_000 });
    await send(alice, '#lobby', 'redpacket');
    await bob.getByTestId('messages').getByText(`#lobby ${aliceUid}: 🧧 8.88 · good luck`).waitFor({ timeout: 10_000 });

    await send(alice, bobUid, 'image', { url: 'https://example.com/x.png' }); // no width or height
    await expect.poll(() => alice.getByTestId('status').innerText(), { timeout: 10_000 }).toMatch(/^refused: invalid_message: message\.width/);
    await send(alice, '#nowhere', 'text', { text: 'x' });
    await expect.poll(() => alice.getByTestId('status').innerText(), { timeout: 10_000 }).toMatch(/^refused: not_a_member/);
  });

  it('the connect hook hands a user its rooms at connect, and admits every ticket holder: plain Spear works as before', async () => {
    const carol = await sdkUser(bed, 'chat-carol');
    await carol.client.rpc('chat.rooms.join', { room: 'book-club' });
    carol.client.close();
    const again = await sdkUser(bed, 'chat-carol');
    expect(again.client.session?.groups).toEqual(['room:book-club']);
    const dave = await sdkUser(bed, await uidOn(bed, 'spear-2', 'chat-dave'));
    await again.client.send(dave.client.session!.uid, 'plain v1 message');
    await expect.poll(() => dave.msgs.map((m) => m.body), { timeout: 5000 }).toEqual(['plain v1 message']);
    expect(await again.client.rpc('chat.kinds')).toEqual({ kinds: ['text', 'news', 'voice', 'image', 'redpacket', 'emoji', 'link', 'video', 'contact'] });
    again.client.close();
    dave.client.close();
  });
});
