import { isReservedUid } from '@spear/protocol';
import { apiError } from '@spear/runtime';
import type { TicketAnswer, TicketClient } from '../api/ticket-client';
import { dashboardError } from '../http/dashboard-error';

/**
 * Tokens and tickets for simulated users, from ticket, with the admin key
 * kept on this server. Never for a reserved uid (PROTOCOL.md v1.1: `system`
 * and `svc:*` only send server-side messages): the dashboard must not let an
 * operator speak as a service.
 */
export class SimAccess {
  constructor(private readonly ticket: TicketClient) {}

  /** A token for `uid` (ticket's POST /v1/tokens) and the ticket URL a Node client should use; 400 reserved_uid for `system` and `svc:*`. */
  async tokenFor(uid: string): Promise<{ token: string; ticketUrl: string }> {
    if (isReservedUid(uid)) throw dashboardError(400, 'reserved_uid', `${JSON.stringify(uid)} is a reserved uid (system, svc:*: only server-side messages come from it); the simulator cannot act as it`);
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
