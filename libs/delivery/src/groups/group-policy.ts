import { ProtocolError } from '@spear/protocol';
import type { GroupHooks, HookCaller } from './group-hooks';

/** A namespace's rules (the profile's `groups.namespaces`). */
export interface NamespaceRules {
  policy: 'open' | 'members' | 'hook';
  clientPublish: boolean;
}

const OPEN: NamespaceRules = { policy: 'open', clientPublish: true };

/** The namespace of a group: its name up to the first `:` (none: the group has no namespace). */
export function namespaceOf(group: string): string | undefined {
  const colon = group.indexOf(':');
  return colon > 0 ? group.slice(0, colon) : undefined;
}

/** The rules of `group`'s namespace in the profile's `namespaces` (a name with no declared namespace is `open`). */
export function rulesOf(namespaces: Readonly<Record<string, NamespaceRules>>, group: string): NamespaceRules {
  const ns = namespaceOf(group);
  return (ns !== undefined && Object.hasOwn(namespaces, ns) && namespaces[ns]) || OPEN;
}

/**
 * Who may join and publish where (PROTOCOL.md v1.1): `open` lets anyone,
 * `members` only the group's members, `hook` whom the app's join and publish
 * hooks let (the publish hook may replace the body); a namespace may forbid
 * client `publish` altogether, before any hook is asked. Names with no
 * declared namespace are `open` (v1's behaviour). Membership is asked of
 * `isMember`, and the hooks of `hooks`, only where the policy needs them.
 */
export class GroupPolicy {
  constructor(
    private readonly namespaces: Readonly<Record<string, NamespaceRules>>,
    private readonly isMember: (group: string, uid: string) => Promise<boolean>,
    private readonly hooks?: GroupHooks,
  ) {}

  /** Resolves when `caller` may join `group`; rejects with ProtocolError('forbidden') otherwise. */
  async mayJoin(caller: HookCaller, group: string): Promise<void> {
    const { policy } = rulesOf(this.namespaces, group);
    if (policy === 'members' && !(await this.isMember(group, caller.uid))) throw new ProtocolError('forbidden', `only members may join ${group}`);
    if (policy === 'hook' && !(await this.hooksFor(group).join(caller, group)).allow) throw new ProtocolError('forbidden', `the join hook refused ${group}`);
  }

  /**
   * Resolves to the body to publish when `caller` may publish `body` to
   * `group` from a client connection (the publish hook's replacement, in a
   * `hook` namespace); rejects with ProtocolError('forbidden') otherwise.
   * `checkBody` (throws the protocol's refusal) runs before the hook is
   * asked: a body the protocol refuses never reaches the app.
   */
  async mayPublish(caller: HookCaller, group: string, body: unknown, checkBody: (body: unknown) => void = () => undefined): Promise<unknown> {
    const rules = rulesOf(this.namespaces, group);
    if (!rules.clientPublish) throw new ProtocolError('forbidden', `clients may not publish to ${group}`);
    if (rules.policy === 'members' && !(await this.isMember(group, caller.uid))) throw new ProtocolError('forbidden', `only members may publish to ${group}`);
    if (rules.policy !== 'hook') return body;
    checkBody(body);
    const verdict = await this.hooksFor(group).publish(caller, group, body);
    if (!verdict.allow) throw new ProtocolError('forbidden', `the publish hook refused ${group}`);
    return 'body' in verdict ? verdict.body : body;
  }

  private hooksFor(group: string): GroupHooks {
    // The profile check (libs/config) makes this unreachable; a node wired without hooks refuses rather than opens.
    if (!this.hooks) throw new ProtocolError('forbidden', `${group} is decided by hooks, and this node has none`);
    return this.hooks;
  }
}
