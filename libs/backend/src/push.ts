/** Where the backend pushes through: ticket's admin API (the same delivery path as every push). */
export interface PushTarget {
  ticketUrl: string;
  adminKey: string;
}

/**
 * Pushes as `svc:<name>` (PROTOCOL.md v1.1 `from`) through ticket's push
 * API: to users (each gets a `msg` from `svc:<name>`, stored in their log),
 * to a group (stored in its history) or to everyone (not stored). Resolves
 * with the ids once ticket accepted; rejects with ticket's error.
 */
export class Pusher {
  constructor(
    private readonly target: PushTarget,
    private readonly from: string,
  ) {}

  async toUsers(uids: string[], body: unknown): Promise<string[]> {
    return ((await this.post('/v1/push/users', { uids, body, from: this.from })) as { ids: string[] }).ids;
  }

  async toGroup(group: string, body: unknown): Promise<string> {
    return ((await this.post('/v1/push/groups', { group, body, from: this.from })) as { id: string }).id;
  }

  async broadcast(body: unknown): Promise<string> {
    return ((await this.post('/v1/push/broadcast', { body })) as { id: string }).id;
  }

  private async post(path: string, payload: object): Promise<unknown> {
    const res = await fetch(`${this.target.ticketUrl.replace(/\/$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.target.adminKey}` },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status !== 202) throw new Error(`push ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  }
}
