import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { RedisKeys } from '@spear/catalog';
import { createTicketRequest, type CreateTicketResponse } from '@spear/protocol';
import { apiError, parseOr400, SERVICE_CONTEXT, type ServiceContext } from '@spear/runtime';
import { signTicket, ticketKeys, type TicketKeys } from '@spear/tickets';
import { NodeRing } from '../nodes/node-ring';
import { TicketGate, type GateVerdict } from './ticket-gate';
import { refOfToken } from '../tokens/token-store';
import { isJwt, tokenProof } from './token-check';

/** The budget behind each rate_limited verdict: the label of spear_ticket_rate_limited_total. */
const BUDGET_OF: Partial<Record<GateVerdict, string>> = { rate_limited_ip: 'ip', rate_limited_ip_failed: 'ip_failed_checks', rate_limited_uid: 'uid' };

/** POST /v1/tickets: token check, node choice, a signed single-use ticket. */
@Controller('v1/tickets')
export class TicketsController {
  private readonly gate: TicketGate;
  private readonly redisKeys: RedisKeys;
  private readonly keys: TicketKeys;
  private readonly outcomes: Counter<'outcome'>;
  private readonly issued: { inc(): void };
  private readonly limited: Counter<'budget'>;

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<'ticket'>,
    @Inject(NodeRing) private readonly ring: NodeRing,
  ) {
    this.redisKeys = new RedisKeys(ctx.config.redis.keyPrefix);
    this.gate = new TicketGate(ctx.redis, this.redisKeys, ctx.config.ticket.rateLimit);
    const { ticketSecret, ticketSecretPrevious, ticketSecretPreviousUntil } = ctx.config.secrets;
    this.keys = ticketKeys(ticketSecret, ticketSecretPrevious, ticketSecretPreviousUntil);
    this.outcomes = new Counter({ name: 'spear_ticket_tickets_total', help: 'POST /v1/tickets outcomes (issued or the refusal code)', labelNames: ['outcome'], registers: [ctx.metrics.registry] });
    this.issued = this.outcomes.labels({ outcome: 'issued' });
    this.limited = new Counter({ name: 'spear_ticket_rate_limited_total', help: 'POST /v1/tickets refused rate_limited, by the budget spent (ip, ip_failed_checks, uid)', labelNames: ['budget'], registers: [ctx.metrics.registry] });
  }

  /** `request.ip`: the client's address, read from X-Forwarded-For only when the peer is one of ticket.trustProxy. */
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
    // A JWT is verified here, before the gate: only the gate's one script may count the request, against the uid only if it proves it.
    const verdict = await this.gate.check(uid, ip, tokenProof(this.redisKeys, token, uid, jwtSecret, this.ctx.config.ticket.jwt));
    if (verdict === 'invalid_token') throw apiError('invalid_token');
    if (verdict !== 'admitted') {
      this.limited.inc({ budget: BUDGET_OF[verdict] ?? verdict });
      throw apiError('rate_limited', verdict === 'rate_limited_ip_failed' ? 'too many failed token checks from this address; retry later' : 'too many tickets; retry later');
    }
    const node = this.ring.pick(uid, avoid);
    if (!node) throw apiError('no_nodes');
    const expiresAt = Date.now() + this.ctx.config.ticket.ticketTtlSeconds * 1000;
    // An opaque token's reference travels with the ticket: revoking the token closes the connection.
    const ticket = signTicket(this.keys, { uid, nodeId: node.id, expiresAt, ...(isJwt(token, jwtSecret) ? {} : { tokenRef: refOfToken(token) }) });
    return { uid, node: { id: node.id, url: node.url }, ticket, expiresAt };
  }
}
