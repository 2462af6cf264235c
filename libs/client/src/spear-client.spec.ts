import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MsgEvent } from '@spear/protocol';
import type { ConnectOptions } from './options';
import { SpearClient } from './spear-client';
import type { GapInfo } from './events';
import { SpearError } from './errors';

/**
 * A one-node stand-in for spear (PROTOCOL.md v1.1, only what these tests
 * need) and a fetch that hands out tickets for it: SpearClient end to end
 * over a real socket.io connection, without engines.
 */
class FakeSpear {
  readonly auths: Array<Record<string, unknown>> = [];
  readonly acks: unknown[] = [];
  readonly historyQueries: unknown[] = [];
  /** What the next connection's ready says and replays. */
  next: { gap?: boolean; replay?: MsgEvent[] } = {};
  history: MsgEvent[] = [];
  sendSeq?: number;
  private sessions = 0;
  private readonly http: HttpServer = createServer();
  private readonly io = new Server(this.http);

  async start(): Promise<void> {
    this.io.on('connection', (socket) => this.connected(socket));
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  readonly fetch = (async () =>
    new Response(JSON.stringify({ uid: 'alice', node: { id: 'n1', url: this.url }, ticket: 't', expiresAt: Date.now() + 30_000 }), { status: 200 })) as unknown as typeof fetch;

  private connected(socket: Socket): void {
    const auth = socket.handshake.auth as Record<string, unknown>;
    this.auths.push(auth);
    const { gap = false, replay = [] } = this.next;
    this.next = {};
    socket.emit('ready', { uid: 'alice', node: 'n1', sessionId: `s${++this.sessions}`, device: (auth.device as string) ?? 'default', groups: [], gap });
    for (const m of replay) socket.emit('msg', m);
    socket.on('ack', (payload: unknown, reply: (a: unknown) => void) => {
      this.acks.push(payload);
      reply({ ok: true });
    });
    socket.on('history', (query: { limit?: number }, reply: (a: unknown) => void) => {
      this.historyQueries.push(query);
      if (query.limit !== undefined && !(query.limit >= 1 && query.limit <= 100)) reply({ ok: false, error: { code: 'bad_request', message: 'limit' } });
      else reply({ ok: true, messages: this.history });
    });
    socket.on('send', (_p: unknown, reply: (a: unknown) => void) => reply({ ok: true, id: '777', ts: 5, ...(this.sendSeq ? { seq: this.sendSeq } : {}) }));
  }

  /** Sends `m` to every connection (a live message). */
  push(m: MsgEvent): void {
    this.io.emit('msg', m);
  }

  async close(): Promise<void> {
    await this.io.close();
  }
}

const msg = (seq: number): MsgEvent => ({ id: String(100 + seq), from: 'bob', to: 'alice', body: seq, ts: 1, seq });
const waitFor = async (check: () => boolean, ms = 3000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('SpearClient (v1.1 against a fake node)', () => {
  let spear: FakeSpear;
  const clients: SpearClient[] = [];
  const connect = async (options: Partial<ConnectOptions> = {}) => {
    const client = await SpearClient.connect({ ticketUrl: 'http://ticket', uid: 'alice', token: 't', fetch: spear.fetch, ...options });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    spear = new FakeSpear();
    await spear.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await spear.close();
  });

  it('names the device in every handshake, and none when not given', async () => {
    const laptop = await connect({ device: 'laptop' });
    expect(laptop.session).toMatchObject({ device: 'laptop' });
    await laptop.reconnect();
    await connect();
    expect(spear.auths).toEqual([{ ticket: 't', device: 'laptop' }, { ticket: 't', device: 'laptop' }, { ticket: 't' }]);
  });

  it('rejects a malformed device before connecting', async () => {
    await expect(connect({ device: 'my laptop' })).rejects.toThrow(RangeError);
    expect(spear.auths).toEqual([]);
  });

  it("emits gap when a ready says retention dropped messages, held until a handler is registered", async () => {
    spear.next = { gap: true };
    const client = await connect({ device: 'phone' });
    const gaps: GapInfo[] = [];
    client.on('gap', (g) => void gaps.push(g));
    await waitFor(() => gaps.length === 1);
    expect(gaps).toEqual([{ reason: 'retention', sessionId: 's1', device: 'phone' }]);
    await client.reconnect(); // the next ready says gap: false
    await new Promise((r) => setTimeout(r, 50));
    expect(gaps).toHaveLength(1);
  });

  it('history() sends the query and resolves with the messages; a refusal rejects with its code', async () => {
    spear.history = [msg(3), msg(2)];
    const client = await connect();
    expect(await client.history({ before: 4, limit: 2, with: 'bob' })).toEqual([msg(3), msg(2)]);
    expect(await client.history()).toEqual([msg(3), msg(2)]);
    expect(spear.historyQueries).toEqual([{ before: 4, limit: 2, with: 'bob' }, {}]);
    const error = await client.history({ limit: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpearError);
    expect((error as SpearError).code).toBe('bad_request');
  });

  it('auto: acks the replay and live messages with {upTo} after ackDelayMs', async () => {
    spear.next = { replay: [msg(1), msg(2)] };
    const client = await connect({ ackDelayMs: 100 });
    const got: number[] = [];
    client.on('msg', (m) => void got.push(m.seq!));
    spear.push(msg(3));
    await waitFor(() => got.length === 3);
    expect(spear.acks).toEqual([]);
    await waitFor(() => spear.acks.length > 0);
    expect(spear.acks).toEqual([{ upTo: 3 }]);
  });

  it('close() sends the acks still waiting for the delay', async () => {
    spear.next = { replay: [msg(1), msg(2)] };
    const client = await connect({ ackDelayMs: 60_000 });
    client.on('msg', () => undefined);
    await waitFor(() => client.stats.delivered === 2);
    await new Promise((r) => setTimeout(r, 20)); // the handlers settle
    client.close();
    await waitFor(() => spear.acks.length > 0);
    expect(spear.acks).toEqual([{ upTo: 2 }]);
  });

  it("manual: ackUpTo sends {upTo}; a send's sender-copy seq is returned", async () => {
    spear.sendSeq = 9;
    const client = await connect({ ackMode: 'manual' });
    await client.ackUpTo(7);
    expect(spear.acks).toEqual([{ upTo: 7 }]);
    expect(await client.send('bob', 'hi')).toEqual({ id: '777', ts: 5, seq: 9 });
  });

  it('auto: a sender copy of this connection is acked for the device', async () => {
    spear.sendSeq = 1;
    const client = await connect({ ackDelayMs: 0 });
    await client.send('bob', 'hi');
    await waitFor(() => spear.acks.length > 0);
    expect(spear.acks).toEqual([{ upTo: 1 }]);
  });
});
