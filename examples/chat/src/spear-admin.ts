/**
 * The chat backend's calls to Spear's admin API on ticket (memberships and
 * tokens). Rooms are Spear groups `room:<name>` in the local profile's
 * members-only namespace: a membership made here reaches the user's live
 * connections on every node within a second, and every later connection
 * joins it at connect.
 */
export class SpearAdmin {
  constructor(
    private readonly ticketUrl: string,
    private readonly adminKey: string,
  ) {}

  /** The groups `uid` is a member of. */
  async groupsOf(uid: string): Promise<string[]> {
    return ((await this.call('GET', `/v1/users/${encodeURIComponent(uid)}/groups`)) as { groups: string[] }).groups;
  }

  async addMember(group: string, uid: string): Promise<void> {
    await this.call('PUT', `/v1/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(uid)}`);
  }

  async removeMember(group: string, uid: string): Promise<void> {
    await this.call('DELETE', `/v1/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(uid)}`);
  }

  /** A token for `uid` (the example's demo login: whoever asks may be anyone). */
  async tokenFor(uid: string): Promise<string> {
    return ((await this.call('POST', '/v1/tokens', { uid })) as { token: string }).token;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.ticketUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
