import { apiError } from '@spear/runtime';
import type { TicketAnswer, TicketClient } from '../api/ticket-client';

/** Tokens and tickets for simulated users, from ticket, with the admin key kept on this server. */
export class SimAccess {
  constructor(private readonly ticket: TicketClient) {}

  /** A token for `uid` (ticket's POST /v1/tokens) and the ticket URL a Node client should use. */
  async tokenFor(uid: string): Promise<{ token: string; ticketUrl: string }> {
    const ticketUrl = await this.ticket.url();
    const res = await this.ticket.call('POST', '/v1/tokens', { body: { uid }, admin: true });
    if (res.status !== 201) throw apiError('internal', `ticket refused a token for ${uid}: HTTP ${res.status} ${res.body}`);
    return { token: (JSON.parse(res.body) as { token: string }).token, ticketUrl };
  }

  /** Forwards a ticket request; ticket's refusals (invalid_token, rate_limited, no_nodes...) pass through unchanged. */
  ticketFor(body: unknown): Promise<TicketAnswer> {
    return this.ticket.call('POST', '/v1/tickets', { body: body ?? {} });
  }
}
