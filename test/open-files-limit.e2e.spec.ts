import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTicket, ticketKeys, type TicketKeys } from '@spear/tickets';
import { printLogsOnFailure, startTestBed, type TestBed } from './support/engines-and-cluster';
import { connectWithTicket } from './support/spear-client';

/** The node's open-files limit in this test; it keeps 256 descriptors for itself (connection-limit.ts). */
const OPEN_FILES = 400;
const ROOM = OPEN_FILES - 256;
const CLIENTS = ROOM + 60;

describe('a spear node takes no more connections than it has file descriptors for', () => {
  let bed: TestBed;
  let keys: TicketKeys;
  let spearUrl: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // maxConnections stays at its default (20,000): only the descriptors limit the node.
    bed = await startTestBed({ apps: ['idgen', 'spear'], spearNodeIds: ['spear-1'], spearOpenFiles: OPEN_FILES });
    keys = ticketKeys(JSON.parse(readFileSync(join(bed.profileDir, 'profile.json'), 'utf8')).secrets.ticketSecret);
    spearUrl = bed.cluster.service('spear-spear-1').baseUrl;
  });
  printLogsOnFailure(() => bed);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await bed?.close();
  });

  it(`with ${OPEN_FILES} descriptors it admits ${ROOM} connections, refuses the rest with draining, and stays up`, async () => {
    const refusals: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const ticket = signTicket(keys, { uid: `fd-${i}`, nodeId: 'spear-1', expiresAt: Date.now() + 30_000 });
      await connectWithTicket(spearUrl, ticket).then(
        (s) => void sockets.push(s),
        (error: Error) => void refusals.push(error.message),
      );
    }
    expect(sockets.length).toBe(ROOM);
    expect(new Set(refusals)).toEqual(new Set(['draining']));
    expect(refusals.length).toBe(CLIENTS - ROOM);
    // Still up and healthy, and the admitted connections work.
    expect((await fetch(`${spearUrl}/healthz`)).status).toBe(200);
    const got = new Promise((resolve) => sockets[1]!.once('msg', resolve));
    const ack = (await sockets[0]!.timeout(10_000).emitWithAck('send', { to: 'fd-1', body: 'fits' })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    expect(await got).toMatchObject({ from: 'fd-0', body: 'fits' });
    // Room again once connections close.
    sockets.pop()!.close();
    await new Promise((r) => setTimeout(r, 300));
    const again = await connectWithTicket(spearUrl, signTicket(keys, { uid: 'fd-again', nodeId: 'spear-1', expiresAt: Date.now() + 30_000 }));
    sockets.push(again);
  });
});
