import { requestTo, type ServiceAnswer, type ServiceLocator } from './service-locator';

const TIMEOUT_MS = 5000;

/** What ticket answered: its status and body as is, for the dashboard to pass through. */
export type TicketAnswer = ServiceAnswer;

/**
 * Calls ticket (a live instance found in ZooKeeper). Admin calls carry the
 * profile's admin key, which never leaves this server. Ticket's refusals
 * come back as answers; only an unreachable ticket throws (500 internal).
 */
export class TicketClient {
  constructor(
    private readonly locator: ServiceLocator,
    private readonly adminKey: string,
  ) {}

  /** The base URL of the ticket instance the next call goes to. */
  url(): Promise<string> {
    return this.locator.urlOf('ticket');
  }

  async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: { body?: unknown; admin?: boolean } = {}): Promise<TicketAnswer> {
    const headers: Record<string, string> = options.admin ? { authorization: `Bearer ${this.adminKey}` } : {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return requestTo(this.locator, 'ticket', path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) }, TIMEOUT_MS);
  }
}
