import { ProtocolError } from '@spear/protocol';

/** A namespace's rules (the profile's `groups.namespaces`). */
export interface NamespaceRules {
  policy: 'open' | 'members';
  clientPublish: boolean;
}

const OPEN: NamespaceRules = { policy: 'open', clientPublish: true };

/** The namespace of a group: its name up to the first `:` (none: the group has no namespace). */
export function namespaceOf(group: string): string | undefined {
  const colon = group.indexOf(':');
  return colon > 0 ? group.slice(0, colon) : undefined;
}

/**
 * Who may join and publish where (PROTOCOL.md v1.1): `open` lets anyone,
 * `members` only the group's members; a namespace may forbid client `publish`
 * altogether. Names with no declared namespace are `open` (v1's behaviour).
 * Membership is asked of `isMember` only where the policy needs it.
 */
export class GroupPolicy {
  constructor(
    private readonly namespaces: Readonly<Record<string, NamespaceRules>>,
    private readonly isMember: (group: string, uid: string) => Promise<boolean>,
  ) {}

  rulesOf(group: string): NamespaceRules {
    const ns = namespaceOf(group);
    return (ns !== undefined && Object.hasOwn(this.namespaces, ns) && this.namespaces[ns]) || OPEN;
  }

  /** Resolves when `uid` may join `group`; rejects with ProtocolError('forbidden') otherwise. */
  async mayJoin(uid: string, group: string): Promise<void> {
    if (this.rulesOf(group).policy === 'members' && !(await this.isMember(group, uid))) throw new ProtocolError('forbidden', `only members may join ${group}`);
  }

  /** Resolves when `uid` may publish to `group` from a client connection; rejects with ProtocolError('forbidden') otherwise. */
  async mayPublish(uid: string, group: string): Promise<void> {
    const rules = this.rulesOf(group);
    if (!rules.clientPublish) throw new ProtocolError('forbidden', `clients may not publish to ${group}`);
    if (rules.policy === 'members' && !(await this.isMember(group, uid))) throw new ProtocolError('forbidden', `only members may publish to ${group}`);
  }
}
