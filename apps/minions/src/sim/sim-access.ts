import { apiError } from '@spear/runtime';
import { fetchWithin, type ServiceLocator } from '../api/service-locator';

const TIMEOUT_MS = 5000;

/** Tokens and tickets for simulated users, from ticket (found in ZooKeeper), with the admin key kept here. */
export class SimAccess {
  constructor(
    private readonly locator: ServiceLocator,
    private readonly adminKey: string,
  ) {}

  /** A token for `uid` (ticket's POST /v1/tokens) and the ticket URL a Node client should use. */
  async tokenFor(uid: string): Promise<{ token: string; ticketUrl: string }> {
    const ticketUrl = await this.locator.urlOf('ticket');
    const res = await this.call(`${ticketUrl}/v1/tokens`, { uid }, { authorization: `Bearer ${this.adminKey}` });
    if (res.status !== 201) throw apiError('internal', `ticket refused a token for ${uid}: HTTP ${res.status} ${res.body}`);
    return { token: (JSON.parse(res.body) as { token: string }).token, ticketUrl };
  }

  /** Forwards a ticket request; ticket's refusals (invalid_token, rate_limited, no_nodes...) pass through unchanged. */
  async ticket(body: unknown): Promise<{ status: number; body: string }> {
    return this.call(`${await this.locator.urlOf('ticket')}/v1/tickets`, body ?? {}, {});
  }

  private async call(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    try {
      const res = await fetchWithin(url, TIMEOUT_MS, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.text() };
    } catch (error) {
      throw apiError('internal', `ticket did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
