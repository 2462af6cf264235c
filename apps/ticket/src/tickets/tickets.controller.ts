import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { RedisKeys } from '@spear/catalog';
import { createTicketRequest, type CreateTicketResponse } from '@spear/protocol';
import { apiError, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { signTicket, ticketKeys, type TicketKeys } from '@spear/tickets';
import { NodeRing } from '../nodes/node-ring';
import { TicketGate } from './ticket-gate';
import { refOfToken } from '../tokens/token-store';
import { isJwt, tokenLookupKey, tokenProvesUid } from './token-check';

/** POST /v1/tickets: token check, node choice, a signed single-use ticket. */
@Controller('v1/tickets')
export class TicketsController {
  private readonly gate: TicketGate;
  private readonly redisKeys: RedisKeys;
  private readonly keys: TicketKeys;
  private readonly outcomes: Counter<'outcome'>;
  private readonly issued: { inc(): void };

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'ticket'>,
    @Inject(NodeRing) private readonly ring: NodeRing,
  ) {
    this.redisKeys = new RedisKeys(ctx.config.redis.keyPrefix);
    this.gate = new TicketGate(ctx.redis, this.redisKeys, ctx.config.ticket.rateLimit.perUid, ctx.config.ticket.rateLimit.perIp);
    const { ticketSecret, ticketSecretPrevious, ticketSecretPreviousUntil } = ctx.config.secrets;
    this.keys = ticketKeys(ticketSecret, ticketSecretPrevious, ticketSecretPreviousUntil);
    this.outcomes = new Counter({ name: 'spear_ticket_tickets_total', help: 'POST /v1/tickets outcomes (issued or the refusal code)', labelNames: ['outcome'], registers: [ctx.metrics.registry] });
    this.issued = this.outcomes.labels({ outcome: 'issued' });
  }

  @Post()
  @HttpCode(200)
  async issue(@Body() body: unknown, @Req() request: FastifyRequest): Promise<CreateTicketResponse> {
    try {
      const response = await this.decide(body, request.ip);
      this.issued.inc();
      return response;
    } catch (error) {
      const code = (error as { getResponse?: () => { error?: { code?: string } } }).getResponse?.().error?.code ?? 'internal';
      this.outcomes.inc({ outcome: code });
      throw error;
    }
  }

  private async decide(body: unknown, ip: string): Promise<CreateTicketResponse> {
    const { uid, token, avoid } = parseOr400(createTicketRequest, body);
    const { jwtSecret } = this.ctx.config.secrets;
    // Rate limits and the token's owner in one Redis command.
    const { admitted, tokenOwner, revokedBefore } = await this.gate.check(uid, ip, tokenLookupKey(this.redisKeys, token, jwtSecret));
    if (!admitted) throw apiError('rate_limited', 'too many tickets; retry later');
    if (!tokenProvesUid(token, uid, tokenOwner, jwtSecret, revokedBefore, this.ctx.config.ticket.jwt)) throw apiError('invalid_token');
    const node = this.ring.pick(uid, avoid);
    if (!node) throw apiError('no_nodes');
    const expiresAt = Date.now() + this.ctx.config.ticket.ticketTtlSeconds * 1000;
    // An opaque token's reference travels with the ticket: revoking the token closes the connection.
    const ticket = signTicket(this.keys, { uid, nodeId: node.id, expiresAt, ...(isJwt(token, jwtSecret) ? {} : { tokenRef: refOfToken(token) }) });
    return { uid, node: { id: node.id, url: node.url }, ticket, expiresAt };
  }
}
