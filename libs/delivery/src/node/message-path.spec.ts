import { describe, expect, it } from 'vitest';
import type { Bus, Envelope } from '@spear/bus';
import type { MsgEvent } from '@spear/protocol';
import type { Stored } from '../log/user-log';
import type { MessageStore } from './delivery-store';
import { MessagePath, type LocalDelivery } from './message-path';

/** A bus that records directed publishes and accepts them. */
function recordingBus(): { bus: Bus; published: Array<{ nodes: readonly string[]; envelope: Envelope }> } {
  const published: Array<{ nodes: readonly string[]; envelope: Envelope }> = [];
  const refuse = () => Promise.reject(new Error('not in this test'));
  const bus: Bus = {
    start: refuse,
    publishToNodes: async (nodes, envelope) => void published.push({ nodes, envelope }),
    publishToGroup: refuse,
    publishBroadcast: refuse,
    joinGroup: refuse,
    leaveGroup: refuse,
    close: async () => undefined,
  };
  return { bus, published };
}

/** A store whose every append answers `stored`. */
const storeAnswering = (stored: Stored): MessageStore => ({ storeMessage: async () => stored, appendGroup: async () => undefined });

function path(stored: Stored) {
  const { bus, published } = recordingBus();
  const local: Envelope[] = [];
  const here: LocalDelivery = { nodeId: 'n1', deliverLocal: (envelope) => void local.push(envelope) };
  let ids = 0;
  const messages = new MessagePath(storeAnswering(stored), bus, { next: async () => String(++ids) }, { maxBodyBytes: 1024, senderCopies: false, kind: 'send' }, here);
  return { messages, published, local };
}

const ids = (envelopes: Envelope[]) => envelopes.map((envelope) => (envelope.p as MsgEvent).id);

describe('MessagePath forwards', () => {
  it('through the bus to the other nodes holding the recipient, and to its own sessions directly', async () => {
    const { messages, published, local } = path({ seq: 7, nodes: ['n1', 'n2', 'n3'] });
    await messages.toUser('alice', 'bob', 'hi');
    expect(published.map(({ nodes, envelope }) => [nodes, envelope.t, (envelope.p as MsgEvent).seq])).toEqual([[['n2', 'n3'], 'msg', 7]]);
    expect(ids(local)).toEqual(['1']);
  });

  it('only to its own sessions when the store published the forward itself (forwarded)', async () => {
    const { messages, published, local } = path({ seq: 7, nodes: ['n1', 'n2'], forwarded: true });
    await messages.toUser('alice', 'bob', 'hi');
    expect(published).toEqual([]);
    expect(local.map((envelope) => envelope.p)).toEqual([expect.objectContaining({ id: '1', from: 'alice', to: 'bob', body: 'hi', seq: 7 })]);
  });

  it('to nobody when the store published it and the recipient is not here', async () => {
    const { messages, published, local } = path({ seq: 1, nodes: ['n2'], forwarded: true });
    await messages.toUser('alice', 'bob', 'hi');
    expect([published, local]).toEqual([[], []]);
  });
});
