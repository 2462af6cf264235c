import type { FastifyReply, FastifyRequest } from 'fastify';

const HEARTBEAT_MS = 15_000;

/** One open server-sent event stream. */
export interface EventStream {
  /** Writes `event: <name>` with `data` as JSON. */
  send(name: string, data: unknown): void;
  /** Ends the stream (idempotent); `onEnd` runs once, whoever ends it. */
  end(): void;
}

/**
 * Turns the reply into a server-sent event stream with a heartbeat comment
 * (proxies keep it open). The stream is in `open` while it lasts: whoever
 * owns the set can end every stream, e.g. at shutdown, where a hijacked
 * response would otherwise keep the server from closing.
 */
export function openEventStream(request: FastifyRequest, reply: FastifyReply, open: Set<EventStream>, onEnd: () => void): EventStream {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  out.write(': connected\n\n');
  const heartbeat = setInterval(() => out.write(': heartbeat\n\n'), HEARTBEAT_MS);
  const stream: EventStream = {
    send: (name, data) => void out.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`),
    end: () => {
      if (!open.delete(stream)) return; // ended already
      clearInterval(heartbeat);
      onEnd();
      out.end();
    },
  };
  open.add(stream);
  request.raw.once('close', stream.end);
  out.once('close', stream.end);
  if (out.socket?.destroyed) stream.end(); // the browser left before the stream opened
  return stream;
}
