/**
 * @spear/client — the TypeScript SDK for Spear (Node and browsers; needs only
 * `fetch` and socket.io-client).
 *
 * ```ts
 * const client = await connect({ ticketUrl: 'https://chat.example.com', uid: 'alice', token, device: 'laptop' });
 * client.on('msg', async (m) => save(m)); // acked once save() resolves (ackMode 'auto')
 * client.on('gap', () => resyncFromBackend()); // retention dropped messages this device had not acked
 * client.on('reconnected', ({ node }) => console.log('now on', node));
 * const { id } = await client.send('bob', { text: 'hi' });
 * await client.join('room-1');
 * const latest = await client.history({ limit: 20 }); // this user's log, newest first
 * client.close();
 * ```
 */
export { connect } from './connect';
export { SpearClient } from './spear-client';
export type { HistoryQuery, Sent, SpearStats } from './client-types';
export type { SpearEvents, SpearEventName, ReconnectedInfo, GapInfo } from './events';
export type { ReconnectingInfo, ReconnectReason } from './link';
export type { ConnectOptions, AckMode } from './options';
export { DEFAULT_ACK_DELAY_MS } from './options';
export type { BackoffOptions } from './backoff';
export { SpearError, type SpearErrorCode, type ClientErrorCode } from './errors';
export type { Handler } from './event-hub';
export type { BroadcastEvent, GroupEvent, MsgEvent, ReadyEvent } from '@spear/protocol';
