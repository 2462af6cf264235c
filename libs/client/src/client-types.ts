/** What SpearClient's calls take and resolve with. */

/**
 * What `send` and `publish` resolve with: the message's id and server
 * timestamp (epoch ms). `seq` (a send, when the server keeps sender copies):
 * the copy's position in the sender's own log. In ackMode 'auto' the SDK
 * acks that copy for this device (the sending connection never receives it);
 * in 'manual' mode the app acks it like a received message.
 */
export interface Sent {
  id: string;
  ts: number;
  seq?: number;
}

/**
 * A `history` query (PROTOCOL.md v1.1): `with` keeps messages from that uid
 * (and to it, with sender copies); `before` keeps seqs below it; `limit` 1-100
 * (the server's default 50).
 */
export interface HistoryQuery {
  with?: string;
  before?: number;
  limit?: number;
}

/** Counters: messages handed over, duplicates dropped, reconnections made. */
export interface SpearStats {
  delivered: number;
  duplicates: number;
  reconnects: number;
}
