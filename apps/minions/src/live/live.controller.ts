import { Controller, Get, Inject, Req, Res, UseGuards, type OnApplicationShutdown } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventLog, type ClusterEvent } from './event-log';
import { openEventStream, type EventStream } from './event-stream';
import { OperatorGuard } from '../auth/operator.guard';

/** Live updates for the browser: the event log, and a server-sent event stream of what happens next. */
@UseGuards(OperatorGuard)
@Controller('api')
export class LiveController implements OnApplicationShutdown {
  private readonly streams = new Set<EventStream>();

  constructor(@Inject(EventLog) private readonly log: EventLog) {}

  onApplicationShutdown(): void {
    for (const stream of this.streams) stream.end();
  }

  @Get('events')
  events(): { events: ClusterEvent[] } {
    return { events: this.log.recent() };
  }

  /** SSE: `event: cluster` per change (the UI refreshes its topology at once), a comment as heartbeat. */
  @Get('live')
  live(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    let unsubscribe = (): void => undefined;
    const stream = openEventStream(request, reply, this.streams, () => unsubscribe());
    unsubscribe = this.log.subscribe((event) => stream.send('cluster', event));
  }
}
