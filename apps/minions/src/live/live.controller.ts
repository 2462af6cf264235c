import { Controller, Get, Inject, Req, Res, UseGuards, type OnApplicationShutdown } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventLog, type ClusterEvent } from './event-log';
import { OperatorGuard } from '../auth/operator.guard';

const HEARTBEAT_MS = 15_000;

/** Live updates for the browser: the event log, and a server-sent event stream of what happens next. */
@UseGuards(OperatorGuard)
@Controller('api')
export class LiveController implements OnApplicationShutdown {
  /** Open streams, ended on shutdown: a hijacked response would otherwise keep the server from closing. */
  private readonly streams = new Set<() => void>();

  constructor(@Inject(EventLog) private readonly log: EventLog) {}

  onApplicationShutdown(): void {
    for (const end of this.streams) end();
  }

  @Get('events')
  events(): { events: ClusterEvent[] } {
    return { events: this.log.recent() };
  }

  /** SSE: `event: cluster` per change (the UI refreshes its topology at once), a comment as heartbeat. */
  @Get('live')
  live(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    out.write(': connected\n\n');
    const unsubscribe = this.log.subscribe((event) => out.write(`event: cluster\ndata: ${JSON.stringify(event)}\n\n`));
    const heartbeat = setInterval(() => out.write(': heartbeat\n\n'), HEARTBEAT_MS);
    const end = (): void => {
      if (!this.streams.delete(end)) return; // ended already
      clearInterval(heartbeat);
      unsubscribe();
      out.end();
    };
    this.streams.add(end);
    request.raw.once('close', end);
    out.once('close', end);
  }
}
