/** Who asks: the connection's user and device, and the `meta` its connect hook attached (null without one). */
export interface HookCaller {
  uid: string;
  device: string;
  meta: unknown;
}

/** What the publish hook decided: refuse, allow as is, or allow with `body` in place of the published one. */
export interface PublishVerdict {
  allow: boolean;
  /** Present: the body that is published instead (PROTOCOL.md v1.1). */
  body?: unknown;
}

/**
 * The app backend's say over groups of a `hook` namespace (PROTOCOL.md v1.1:
 * `join {uid, device, group, meta} -> {allow}`, `publish {uid, device, group,
 * body, meta} -> {allow, body?}`).
 *
 * Guarantee expected of an implementation: it always resolves, within the
 * hook's timeout; a failed, late or malformed answer resolves per the hook's
 * failure policy (`allow: false` for refuse, `allow: true` for allow), so the
 * client always gets an ack.
 */
export interface GroupHooks {
  join(caller: HookCaller, group: string): Promise<{ allow: boolean }>;
  publish(caller: HookCaller, group: string, body: unknown): Promise<PublishVerdict>;
}
