import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The keys an `Authorization: Bearer <key>` header may carry. Guarantee:
 * `matches` takes the same time whatever the key's length or which key it
 * is closest to (digests compared in constant time, every key tried).
 */
export class BearerKeys {
  private readonly digests: Buffer[];

  constructor(keys: ReadonlyArray<string | undefined>) {
    this.digests = keys.filter((k): k is string => k !== undefined).map(digest);
  }

  matches(header: string | undefined): boolean {
    const match = /^Bearer (.+)$/.exec(header ?? '');
    if (!match) return false;
    const given = digest(match[1]!);
    let found = false;
    for (const expected of this.digests) found = timingSafeEqual(given, expected) || found;
    return found;
  }
}
