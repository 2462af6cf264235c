import { describe, expect, it } from 'vitest';
import { REDIS_KEY_FAMILIES } from './redis-key-families';
import { defaultKeyPrefix, KEY_PREFIX_PATTERN, LEGACY_KEY_PREFIX, RedisKeys } from './redis-keys';

/** Every key builder with sample arguments, so a family added without a builder (or the reverse) shows up here. */
function everyKey(keys: RedisKeys): string[] {
  return [
    ...Object.values(keys.inbox('bob')),
    ...Object.values(keys.log('bob')),
    keys.known('bob'),
    keys.route('bob'),
    keys.nodeUsers('spear-1'),
    ...Object.values(keys.group('g1')),
    keys.token('ab12'),
    keys.userTokens('bob'),
    keys.groupMembers('g1'),
    keys.groupOnline('g1'),
    keys.groupTraffic('g1'),
    keys.busiestGroups(29_000_000),
    keys.userGroups('bob'),
    keys.undeliveredDue(),
    keys.revokedBefore('bob'),
    keys.nonce('n1'),
    keys.rateLimit('uid', 'bob', 7),
    keys.rateLimit('ip', '10.0.0.1', 7),
    keys.statSeen('node'),
    keys.statSeries('rpc', 10, 'client|idgen|next'),
    keys.statNodeLatest(),
    keys.statNodeReports('spear-1', 'boot-1'),
    keys.statRpcIndex(),
    keys.minionsSession('ab12'),
    keys.minionsAudit(),
  ];
}

describe('RedisKeys', () => {
  it('with the legacy prefix, names every key exactly as the tree did before the catalog', () => {
    const keys = new RedisKeys(LEGACY_KEY_PREFIX);
    // An existing `local` data set must keep working: these are the names the old code wrote.
    expect(keys.inbox('bob')).toEqual({ hash: 'spear:inbox:{bob}:h', order: 'spear:inbox:{bob}:z', seq: 'spear:inbox:{bob}:seq' });
    expect(keys.route('dave')).toBe('spear:route:{dave}');
    expect(keys.log('bob')).toEqual({ entries: 'spear:log:{bob}:m', index: 'spear:log:{bob}:i', devices: 'spear:log:{bob}:d' });
    expect(keys.nodeUsers('node-z')).toBe('spear:node-users:node-z');
    expect(keys.group('g')).toEqual({ log: 'spear:group:{g}:log', floor: 'spear:group:{g}:floor' });
    expect(keys.token('ab12')).toBe('spear:token:ab12');
    expect(keys.nonce('n1')).toBe('spear:nonce:n1');
    expect(keys.rateLimit('uid', 'ttl-user', 29_000)).toBe('spear:rl:uid:{ttl-user}:29000');
    expect(keys.statSeen('node')).toBe('spear:stat:{node}:seen');
    expect(keys.statSeries('node', 1, 'spear-1:users')).toBe('spear:stat:{node}:1:spear-1:users');
    expect(keys.statNodeLatest()).toBe('spear:stat:node:latest');
    expect(keys.statNodeReports('spear-1', 'b')).toBe('spear:stat:node:reports:spear-1:b');
    expect(keys.statRpcIndex()).toBe('spear:stat:rpc:index');
    expect(keys.channelPrefix).toBe('spear');
  });

  it('puts every key under its prefix and in a known family', () => {
    const keys = new RedisKeys('spear:test1:');
    for (const key of everyKey(keys)) {
      expect(key.startsWith('spear:test1:')).toBe(true);
      expect(keys.familyOf(key)).toBeDefined();
    }
    // ...and every family has at least one builder.
    expect(new Set(everyKey(keys).map((k) => keys.familyOf(k)))).toEqual(new Set(REDIS_KEY_FAMILIES.map((f) => f.name)));
    expect(keys.scanPattern).toBe('spear:test1:*');
    expect(keys.channelPrefix).toBe('spear:test1');
  });

  it('keeps the keys of one user, or of one group, on one Cluster slot: the hash tag is the uid or group', () => {
    const keys = new RedisKeys('spear:x:');
    const tag = (key: string) => key.slice(key.indexOf('{') + 1, key.indexOf('}'));
    const ofUser = [...Object.values(keys.inbox('u1')), ...Object.values(keys.log('u1')), keys.known('u1'), keys.route('u1'), keys.userGroups('u1')];
    expect(new Set(ofUser.map(tag))).toEqual(new Set(['u1']));
    expect(Object.values(keys.group('g1')).map(tag)).toEqual(['g1', 'g1']);
  });

  it('tells a family only within its own namespace', () => {
    const keys = new RedisKeys('spear:');
    expect(keys.familyOf('spear:node-users:a')).toBe('node-users');
    expect(keys.familyOf('spear:node:a')).toBeUndefined(); // a bus channel name, never a key
    expect(keys.familyOf('spear:inbox')).toBeUndefined();
    expect(keys.familyOf('other:inbox:{a}:h')).toBeUndefined();
    // Another profile's keys under the legacy prefix are not this namespace's families.
    expect(keys.familyOf('spear:test1:route:{a}')).toBeUndefined();
  });

  it('refuses a prefix that would break hash tags, SCAN patterns or the family separator', () => {
    for (const bad of ['', 'spear', ':', 'sp{ear}:', 'spear*:', 'spe ar:', `${'a'.repeat(64)}:`]) {
      expect(() => new RedisKeys(bad), bad).toThrow(RangeError);
    }
    for (const good of ['spear:', 'spear:local:', 'a:', 'my-app_1.v2:', `${'a'.repeat(63)}:`]) {
      expect(KEY_PREFIX_PATTERN.test(good), good).toBe(true);
      expect(new RedisKeys(good).prefix).toBe(good);
    }
  });

  it("derives a profile's default prefix from its name, nested under the legacy one", () => {
    expect(defaultKeyPrefix('test1')).toBe('spear:test1:');
    expect(new RedisKeys(defaultKeyPrefix('local-kafka')).route('a')).toBe('spear:local-kafka:route:{a}');
  });

  it('describes every family once', () => {
    const names = REDIS_KEY_FAMILIES.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const family of REDIS_KEY_FAMILIES) expect(family.description.length).toBeGreaterThan(10);
  });
});
