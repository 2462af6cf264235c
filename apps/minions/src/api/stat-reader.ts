import { requestTo, type ServiceAnswer, type ServiceLocator } from './service-locator';

/**
 * Reads stat's API (a live instance found in ZooKeeper) with the admin key,
 * which never leaves this server. stat's refusals come back as answers; only
 * an unreachable stat throws (500 internal).
 */
export class StatReader {
  constructor(
    private readonly locator: ServiceLocator,
    private readonly adminKey: string,
  ) {}

  get(pathAndQuery: string): Promise<ServiceAnswer> {
    return requestTo(this.locator, 'stat', pathAndQuery, { headers: { authorization: `Bearer ${this.adminKey}` } });
  }
}
