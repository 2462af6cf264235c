import { Body, Controller, Delete, Get, Inject, Param, Post, Put, Query, Req, Res, UseGuards, type OnApplicationShutdown } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GroupHistory } from '@spear/delivery';
import { disconnectUserRequest, groupMembersQuery, groupSchema, uidSchema, type GroupEvent } from '@spear/protocol';
import { parseOr400 } from '@spear/runtime';
import { passThrough, type ServiceAnswer } from '../api/service-locator';
import { StatReader } from '../api/stat-reader';
import { TicketClient } from '../api/ticket-client';
import { AuditTrail, type ActionResult } from '../audit/audit-trail';
import { OperatorGuard } from '../auth/operator.guard';
import { openEventStream, type EventStream } from '../live/event-stream';
import { GroupWatch } from './group-watch';

/** Messages from the group's history a watch shows before the live ones. */
const WATCH_BACKLOG = 20;
/** Ids remembered per watch to drop a live message the backlog already showed. */
const SEEN_IDS = 200;
/** The `kicked` reason of a kick from the dashboard when the operator gives none. */
const OPERATOR_KICK = 'kicked by an operator';

/**
 * The dashboard's group page: figures and traffic from stat, members and
 * kicks through ticket's admin API (the admin key stays on this server), and
 * a live watch of a group's messages. Names are validated here, before any
 * call, with the protocol's schemas.
 */
@UseGuards(OperatorGuard)
@Controller('api')
export class GroupsController implements OnApplicationShutdown {
  private readonly streams = new Set<EventStream>();

  constructor(
    @Inject(StatReader) private readonly statReader: StatReader,
    @Inject(TicketClient) private readonly ticket: TicketClient,
    @Inject(GroupWatch) private readonly watcher: GroupWatch,
    @Inject(GroupHistory) private readonly history: GroupHistory,
    @Inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  onApplicationShutdown(): void {
    for (const stream of this.streams) stream.end();
  }

  /** stat's busiest groups, each with its figures (the query passed through; stat validates it). */
  @Get('groups')
  async busiest(@Query() query: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    passThrough(reply, await this.statReader.get(`/v1/groups?${new URLSearchParams(query).toString()}`));
  }

  /** stat's figures of one group and its messages per second (the query passed through; stat validates it). */
  @Get('groups/:group')
  async group(@Param('group') raw: string, @Query() query: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    const group = parseOr400(groupSchema, raw);
    passThrough(reply, await this.statReader.get(`/v1/groups/${encodeURIComponent(group)}?${new URLSearchParams(query).toString()}`));
  }

  @Get('groups/:group/members')
  async members(@Param('group') raw: string, @Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    const group = parseOr400(groupSchema, raw);
    const { after, limit } = parseOr400(groupMembersQuery, query);
    const page = new URLSearchParams({ limit: String(limit), ...(after === undefined ? {} : { after }) });
    passThrough(reply, await this.ticket.call('GET', `/v1/groups/${encodeURIComponent(group)}/members?${page.toString()}`, { admin: true }));
  }

  /** Audited as group.member.add on `<group>/<uid>`. */
  @Put('groups/:group/members/:uid')
  async addMember(@Param('group') group: string, @Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const answer = await this.audit.around(request, 'group.member.add', `${group}/${uid}`, () => this.ticket.call('PUT', this.memberPath(group, uid), { admin: true }), answered);
    passThrough(reply, answer);
  }

  /** Audited as group.member.remove on `<group>/<uid>`. */
  @Delete('groups/:group/members/:uid')
  async removeMember(@Param('group') group: string, @Param('uid') uid: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const answer = await this.audit.around(request, 'group.member.remove', `${group}/${uid}`, () => this.ticket.call('DELETE', this.memberPath(group, uid), { admin: true }), answered);
    passThrough(reply, answer);
  }

  /** Kick (`{reason?}`, default OPERATOR_KICK): every live connection of the uid, on every node, gets `kicked` and is closed (ticket's POST /v1/users/{uid}/disconnect). Audited as user.kick on the uid. */
  @Post('users/:uid/disconnect')
  async kick(@Param('uid') raw: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const answer = await this.audit.around(request, 'user.kick', raw, async () => {
      const uid = parseOr400(uidSchema, raw);
      const reason = parseOr400(disconnectUserRequest, body ?? undefined)?.reason ?? OPERATOR_KICK;
      return this.ticket.call('POST', `/v1/users/${encodeURIComponent(uid)}/disconnect`, { body: { reason }, admin: true });
    }, answered);
    passThrough(reply, answer);
  }

  /**
   * SSE: `event: message` per group message, `{message, live}`: first the
   * group's latest from its history (`live: false`), then each one published
   * from now on, as the dashboard's passive bus member receives it.
   */
  @Get('groups/:group/watch')
  async watch(@Param('group') raw: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const group = parseOr400(groupSchema, raw);
    const pending: GroupEvent[] = [];
    let showLive: ((message: GroupEvent) => void) | null = null;
    // Joined first, so nothing published between reading the backlog and joining is missed; live ones wait for the backlog.
    const unwatch = await this.watcher.watch(group, (message) => (showLive ? showLive(message) : pending.length < SEEN_IDS && pending.push(message)));
    const stream = openEventStream(request, reply, this.streams, unwatch);
    const seen = new Set<string>();
    const show = (message: GroupEvent, live: boolean): void => {
      if (seen.has(message.id)) return;
      seen.add(message.id);
      if (seen.size > SEEN_IDS) seen.delete(seen.values().next().value!);
      stream.send('message', { message, live });
    };
    try {
      for (const message of await this.history.latest(group, WATCH_BACKLOG)) show(message, false);
    } catch {
      stream.send('notice', { message: 'the group history could not be read; live messages only' });
    }
    showLive = (message) => show(message, true);
    for (const message of pending.splice(0)) showLive(message);
  }

  private memberPath(rawGroup: string, rawUid: string): string {
    const [group, uid] = [parseOr400(groupSchema, rawGroup), parseOr400(uidSchema, rawUid)];
    return `/v1/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(uid)}`;
  }
}

/** How a change through ticket went: ticket's status, and its error message when it refused. */
function answered(answer: ServiceAnswer): ActionResult {
  if (answer.status < 400) return { status: answer.status };
  let message: string | undefined;
  try {
    message = (JSON.parse(answer.body) as { error?: { message?: string } }).error?.message;
  } catch {
    // Not ticket's JSON: the status alone says it.
  }
  return { status: answer.status, detail: `ticket answered ${answer.status}${message ? `: ${message}` : ''}` };
}
