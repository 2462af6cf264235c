import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEV_SECRETS, hashOperatorPassword, loadConfig, loadEngineSettings, APP_NAMES } from './index';

const repoProfiles = resolve(__dirname, '../../../profiles');
const env = (extra: Record<string, string> = {}) => ({ SPEAR_PROFILES_DIR: repoProfiles, ...extra });

/** The internal planes' secrets from the environment, as a deployment gives them. */
const PLANES = { SPEAR_CLUSTER_SECRET: 'a-cluster-secret-for-the-spec-0123456789', SPEAR_ZK_PASSWORD: 'a-zookeeper-password-for-the-spec-01234' };
/** Secrets a production profile accepts: long, unknown, the ticket secret with its key id. */
const STRONG = { ...PLANES, SPEAR_ADMIN_KEY: 'an-admin-key-of-at-least-32-bytes-0123456', SPEAR_TICKET_SECRET: 'k7Qz9xW2:a-ticket-secret-of-at-least-32-bytes-0123' };

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempProfile(content: unknown, name = 'p'): string {
  const dir = mkdtempSync(join(tmpdir(), 'spear-config-'));
  tempDirs.push(dir);
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'profile.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return join(dir, name);
}

describe('loadConfig', () => {
  it('loads every app from the local profile with its documented values', () => {
    for (const app of APP_NAMES) expect(() => loadConfig(app, { env: env() })).not.toThrow();
    const ticket = loadConfig('ticket', { env: env() });
    expect(ticket.ticket.http).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(ticket.secrets.adminKey).toBe('dev-admin-key');
    expect(ticket.bus).toBe('redis');
    expect(ticket.ticket.ticketTtlSeconds).toBe(30); // a default filled in
    expect(loadConfig('minions', { env: env() }).minions.http.port).toBe(40000);
    expect(loadConfig('spear', { env: env() }).spear.nodes.map((n) => n.id)).toEqual(['spear-1', 'spear-2']);
  });

  it('merges local-kafka over local', () => {
    const cfg = loadConfig('spear', { profile: 'local-kafka', env: env() });
    expect(cfg.bus).toBe('kafka');
    expect(cfg.zookeeper.root).toBe('/spear/local-kafka');
    expect(cfg.zookeeper.connect).toBe('127.0.0.1:12181');
  });

  it('test1 and test2 differ in ports and ZooKeeper root, and take secrets from the environment', () => {
    const secrets = { ...PLANES, SPEAR_ADMIN_KEY: 'an-admin-key', SPEAR_TICKET_SECRET: 'a-ticket-secret-of-16+' };
    const t1 = loadConfig('ticket', { profile: 'test1', env: env(secrets) });
    const t2 = loadConfig('ticket', { profile: 'test2', env: env(secrets) });
    expect(t1.zookeeper.root).not.toBe(t2.zookeeper.root);
    expect(t1.ticket.http.port).not.toBe(t2.ticket.http.port);
    expect(t1.secrets.adminKey).toBe('an-admin-key');
    expect(() => loadConfig('ticket', { profile: 'test1', env: env() })).toThrow(/secrets/);
  });

  it('env overrides win over the file', () => {
    const cfg = loadConfig('ticket', { env: env({ SPEAR_ADMIN_KEY: 'override-key', SPEAR_REDIS_URL: 'redis://10.0.0.1:7000' }) });
    expect(cfg.secrets.adminKey).toBe('override-key');
    expect(cfg.redis.url).toBe('redis://10.0.0.1:7000');
  });

  it('a bad value fails with a message naming the field', () => {
    const dir = tempProfile({ extends: join(repoProfiles, 'local'), ticket: { http: { port: 70000 } } });
    expect(() => loadConfig('ticket', { profile: dir, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig('ticket', { profile: dir, env: {} })).toThrow(/ticket\.http\.port/);
    // Another app's section is not this app's business.
    expect(() => loadConfig('idgen', { profile: dir, env: {} })).not.toThrow();
  });

  it('takes kafka.client from the profile or SPEAR_KAFKA_CLIENT, and names a client it does not know', () => {
    expect(loadConfig('spear', { profile: 'local-kafka', env: env() }).kafka?.client).toBeUndefined();
    expect(loadConfig('spear', { profile: 'local-kafka', env: env({ SPEAR_KAFKA_CLIENT: 'platformatic' }) }).kafka?.client).toBe('platformatic');
    const named = tempProfile({ extends: join(repoProfiles, 'local-kafka'), kafka: { brokers: ['127.0.0.1:9092'], client: 'kafkajs' } });
    expect(loadConfig('spear', { profile: named, env: env() }).kafka?.client).toBe('kafkajs');
    expect(() => loadConfig('spear', { profile: 'local-kafka', env: env({ SPEAR_KAFKA_CLIENT: 'rdkafka' }) })).toThrow(/kafka\.client.*expected kafkajs or platformatic/);
  });

  it('names typos, bad JSON, unknown profiles and bus without kafka', () => {
    expect(() => loadConfig('ticket', { profile: tempProfile({ extends: join(repoProfiles, 'local'), redsi: {} }), env: {} })).toThrow(/unknown field\(s\): redsi/);
    expect(() => loadConfig('ticket', { profile: tempProfile('{ nope'), env: {} })).toThrow(/not valid JSON/);
    expect(() => loadConfig('ticket', { profile: 'no-such-profile', env: env() })).toThrow(/not found/);
    expect(() => loadConfig('ticket', { env: env({ SPEAR_BUS: 'carrier-pigeon' }) })).toThrow(/bus/);
    const noKafka = tempProfile({ extends: join(repoProfiles, 'local'), bus: 'kafka', kafka: null });
    expect(() => loadConfig('spear', { profile: noKafka, env: {} })).toThrow(/kafka/);
    const dupNodes = tempProfile({ extends: join(repoProfiles, 'local'), spear: { nodes: [{ id: 'a', port: 1 }, { id: 'a', port: 2 }] } });
    expect(() => loadConfig('spear', { profile: dupNodes, env: {} })).toThrow(/spear\.nodes: node ids must be unique/);
  });

  it('hooks and routes: a hook namespace needs the join and publish hooks, HTTP ones the hook secret; bad backends and duplicate routes are named', () => {
    const base = { extends: join(repoProfiles, 'local'), groups: { namespaces: { vip: { policy: 'hook' } } } };
    const rpcHook = { backend: { service: 'app', method: 'join' } };
    expect(() => loadConfig('spear', { profile: tempProfile(base), env: {} })).toThrow(/spear\.hooks\.join: required by namespace "vip"/);
    expect(() => loadConfig('spear', { profile: tempProfile({ ...base, spear: { hooks: { join: rpcHook } } }), env: {} })).toThrow(/spear\.hooks\.publish/);
    const both = loadConfig('spear', { profile: tempProfile({ ...base, spear: { hooks: { join: rpcHook, publish: { ...rpcHook, onFailure: 'allow', timeoutMs: 200 } } } }), env: {} });
    expect(both.spear.hooks.join).toEqual({ ...rpcHook, timeoutMs: 1000, onFailure: 'refuse' });
    expect(both.spear.hooks.publish).toMatchObject({ onFailure: 'allow', timeoutMs: 200 });
    // Other apps do not check spear's hooks.
    expect(() => loadConfig('ticket', { profile: tempProfile(base), env: {} })).not.toThrow();
    const http = { spear: { hooks: { join: { backend: { url: 'http://127.0.0.1:9/join' } }, publish: rpcHook } } };
    expect(() => loadConfig('spear', { profile: tempProfile({ ...base, ...http }), env: {} })).toThrow(/secrets\.hookSecret: required by spear\.hooks\.join/);
    const secrets = { ...JSON.parse(readFileSync(join(repoProfiles, 'local', 'profile.json'), 'utf8')).secrets, hookSecret: 'a-hook-secret-of-16+' };
    expect(loadConfig('spear', { profile: tempProfile({ ...base, ...http, secrets }), env: {} }).spear.hooks.join?.backend).toEqual({ url: 'http://127.0.0.1:9/join' });
    const undeliveredHook = { spear: { hooks: { undelivered: rpcHook } } };
    expect(() => loadConfig('spear', { profile: tempProfile({ extends: join(repoProfiles, 'local'), ...undeliveredHook }), env: {} })).toThrow(/delivery\.undeliveredAfterSeconds: required by spear\.hooks\.undelivered/);
    expect(() => loadConfig('spear', { profile: tempProfile({ extends: join(repoProfiles, 'local'), delivery: { undeliveredAfterSeconds: 60 } }), env: {} })).toThrow(/spear\.hooks\.undelivered: required/);
    expect(loadConfig('spear', { profile: tempProfile({ extends: join(repoProfiles, 'local'), delivery: { undeliveredAfterSeconds: 60 }, ...undeliveredHook }), env: {} }).delivery.undeliveredAfterSeconds).toBe(60);
    const httpRoute = { extends: join(repoProfiles, 'local'), spear: { routes: [{ match: 'chat.', backend: { url: 'http://127.0.0.1:9/rpc' } }] } };
    expect(() => loadConfig('spear', { profile: tempProfile(httpRoute), env: {} })).toThrow(/secrets\.hookSecret: required by the spear\.routes entry "chat\."/);
    const routes = [{ match: 'chat.', backend: { service: 'chat', method: 'call' } }, { match: 'chat.send', backend: { service: 'chat', method: 'send' }, retrySafe: true }];
    expect(loadConfig('spear', { profile: tempProfile({ extends: join(repoProfiles, 'local'), spear: { routes } }), env: {} }).spear.routes[0]).toEqual({ ...routes[0], timeoutMs: 5000, retrySafe: false });
    expect(() => loadConfig('spear', { profile: tempProfile({ extends: join(repoProfiles, 'local'), spear: { routes: [routes[0], routes[0]] } }), env: {} })).toThrow(/spear\.routes: each match may appear once/);
    expect(() => loadConfig('spear', { profile: tempProfile({ extends: join(repoProfiles, 'local'), spear: { routes: [{ ...routes[0], match: 'bad name' }] } }), env: {} })).toThrow(/spear\.routes\.0\.match/);
    for (const backend of [{ url: 'ftp://x/y' }, { service: 'bad name', method: 'm' }, { service: 'a', method: 'b', url: 'http://x' }]) {
      expect(() => loadConfig('spear', { profile: tempProfile({ extends: join(repoProfiles, 'local'), spear: { hooks: { join: { backend } } } }), env: {} })).toThrow(/spear\.hooks\.join\.backend/);
    }
  });

  it('a missing secret names the environment variable that sets it; the engine settings need no secret at all', () => {
    expect(() => loadConfig('ticket', { profile: 'test1', env: env() })).toThrow(
      'secrets.clusterSecret: missing, ticket needs it (set SPEAR_CLUSTER_SECRET); secrets.zookeeperPassword: missing, ticket needs it (set SPEAR_ZK_PASSWORD); secrets.adminKey: missing, ticket needs it (set SPEAR_ADMIN_KEY); secrets.ticketSecret: missing, ticket needs it (set SPEAR_TICKET_SECRET)',
    );
    expect(() => loadConfig('ticket', { profile: 'test1', env: env({ ...PLANES, SPEAR_TICKET_SECRET: 'x'.repeat(32) }) })).toThrow(/: secrets\.adminKey: missing, ticket needs it \(set SPEAR_ADMIN_KEY\)$/);
    expect(() => loadConfig('ticket', { profile: 'test1', env: env({ ...PLANES, SPEAR_ADMIN_KEY: 'short', SPEAR_TICKET_SECRET: 'x'.repeat(32) }) })).toThrow(/secrets\.adminKey: admin key must be at least 8 characters \(set SPEAR_ADMIN_KEY\)/);
    // idgen needs only the internal planes' secrets.
    expect(loadConfig('idgen', { profile: 'test1', env: env(PLANES) }).secrets).toEqual({ clusterSecret: PLANES.SPEAR_CLUSTER_SECRET, zookeeperPassword: PLANES.SPEAR_ZK_PASSWORD });
    expect(loadEngineSettings({ profile: 'test1', env: env() })).toMatchObject({ name: 'test1', zookeeperConnect: '127.0.0.1:12181', redisUrl: 'redis://127.0.0.1:16379/1', kafkaBrokers: ['127.0.0.1:19092'] });
    // A SASL profile's engines are found without the Kafka password, which only the apps need.
    const sasl = tempProfile({ extends: join(repoProfiles, 'test1'), kafka: { brokers: ['127.0.0.1:19093'], sasl: { mechanism: 'scram-sha-512', username: 'spear' } } });
    expect(loadEngineSettings({ profile: sasl, env: env() }).kafkaBrokers).toEqual(['127.0.0.1:19093']);
    expect(() => loadEngineSettings({ profile: tempProfile({ name: 'x', zookeeper: { connect: 'nope', root: '/x' }, redis: { url: 'redis://h:1' } }), env: {} })).toThrow(/zookeeper\.connect/);
  });

  it('gives every profile its own Redis namespace; local keeps the legacy spear: prefix', () => {
    const secrets = STRONG;
    const prefixOf = (profile: string) => loadConfig('ticket', { profile, env: env(secrets) }).redis.keyPrefix;
    // local states it, so a data set written before per-profile prefixes keeps working.
    expect(prefixOf('local')).toBe('spear:');
    // local-kafka shares local's Redis (and would inherit spear:), so it states its own.
    expect(prefixOf('local-kafka')).toBe('spear:local-kafka:');
    expect(prefixOf('test1')).toBe('spear:test1:');
    expect(prefixOf('test2')).toBe('spear:test2:');
    const unstated = tempProfile({ ...JSON.parse(readFileSync(join(repoProfiles, 'test1/profile.json'), 'utf8')), name: 'staging-eu' });
    expect(loadConfig('stat', { profile: unstated, env: env(secrets) }).redis.keyPrefix).toBe('spear:staging-eu:');
    expect(loadConfig('ticket', { env: env({ SPEAR_REDIS_KEY_PREFIX: 'moved:' }) }).redis.keyPrefix).toBe('moved:');
  });

  it('gives Redis only to the apps that use it: idgen needs no redis section and ignores a bad one', () => {
    const { redis: _redis, ...local } = JSON.parse(readFileSync(join(repoProfiles, 'local', 'profile.json'), 'utf8')) as Record<string, unknown>;
    const withoutRedis = tempProfile(local);
    const idgen = loadConfig('idgen', { profile: withoutRedis, env: {} });
    expect('redis' in idgen).toBe(false);
    // idgen reads ZooKeeper only (ARCHITECTURE.md): a shared profile's Redis is none of its business.
    const badRedis = tempProfile({ ...local, redis: { url: 'not a url' } });
    expect('redis' in loadConfig('idgen', { profile: badRedis, env: {} })).toBe(false);
    for (const app of ['ticket', 'spear', 'stat', 'minions'] as const) {
      expect(() => loadConfig(app, { profile: withoutRedis, env: {} }), app).toThrow(`redis: required by ${app}`);
      expect(() => loadConfig(app, { profile: badRedis, env: {} }), app).toThrow(/redis\.url/);
    }
  });

  it('refuses a key prefix that would break hash tags or SCAN, naming the field', () => {
    for (const keyPrefix of ['spear', 'sp{ear}:', 'spear*:', 'a b:']) {
      const dir = tempProfile({ extends: join(repoProfiles, 'local'), redis: { keyPrefix } });
      expect(() => loadConfig('ticket', { profile: dir, env: {} }), keyPrefix).toThrow(/redis\.keyPrefix/);
    }
    const longName = tempProfile({ extends: join(repoProfiles, 'test1'), name: 'x'.repeat(70) });
    expect(() => loadConfig('ticket', { profile: longName, env: env(STRONG) })).toThrow(/redis\.keyPrefix: the default/);
  });
});

describe('kafka security (sasl, tls)', () => {
  const kafkaProfile = (kafka: Record<string, unknown>) => tempProfile({ extends: join(repoProfiles, 'local-kafka'), kafka: { brokers: ['127.0.0.1:19092'], ...kafka } });
  const sasl = { mechanism: 'scram-sha-512', username: 'spear' };
  const PASSWORD = 'the-kafka-password';

  it('takes the password from SPEAR_KAFKA_PASSWORD into kafka.sasl; without sasl or tls nothing changes', () => {
    const cfg = loadConfig('spear', { profile: kafkaProfile({ sasl, tls: true }), env: { SPEAR_KAFKA_PASSWORD: PASSWORD } });
    expect(cfg.kafka).toEqual({ brokers: ['127.0.0.1:19092'], sasl: { ...sasl, password: PASSWORD }, tls: true });
    expect(loadConfig('spear', { profile: 'local-kafka', env: env() }).kafka).toEqual({ brokers: ['127.0.0.1:19092'] });
  });

  it('a sasl section without a password is one line naming SPEAR_KAFKA_PASSWORD', () => {
    for (const envVars of [{}, { SPEAR_KAFKA_PASSWORD: '' }]) {
      const load = () => loadConfig('spear', { profile: kafkaProfile({ sasl }), env: envVars });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/: kafka\.sasl\.password: missing: set SPEAR_KAFKA_PASSWORD \(a Kafka password comes from the environment, not the profile\)$/);
    }
  });

  it('names a bad mechanism, user name or extra field, and never repeats a password', () => {
    const messageOf = (kafka: Record<string, unknown>, envVars: Record<string, string> = { SPEAR_KAFKA_PASSWORD: PASSWORD }) => {
      try {
        loadConfig('spear', { profile: kafkaProfile(kafka), env: envVars });
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('loaded');
    };
    expect(messageOf({ sasl: { ...sasl, mechanism: 'gssapi' } })).toMatch(/kafka\.sasl\.mechanism: expected scram-sha-256, scram-sha-512 or plain/);
    expect(messageOf({ sasl: { mechanism: 'plain' } })).toMatch(/kafka\.sasl\.username: expected the Kafka user name/);
    expect(messageOf({ sasl: { ...sasl, user: 'x' } })).toMatch(/kafka\.sasl: .*user/);
    // Stated in the file (a dev profile may): the environment would win over it.
    const numeric = messageOf({ sasl: { ...sasl, password: 12345678 } }, {});
    expect(numeric).toMatch(/kafka\.sasl\.password: expected a string/);
    expect(numeric).not.toContain('12345678');
    // A mistake elsewhere in the section still keeps the password out of the message.
    expect(messageOf({ sasl, tls: 'yes' })).not.toContain(PASSWORD);
  });

  it('a password in the environment for a profile without kafka.sasl is an error, not ignored', () => {
    expect(() => loadConfig('spear', { profile: 'local-kafka', env: env({ SPEAR_KAFKA_PASSWORD: PASSWORD }) })).toThrow(/kafka\.sasl\.mechanism: expected scram-sha-256, scram-sha-512 or plain/);
  });

  it('takes tls as a boolean or { caFile, rejectUnauthorized (default true), servername }, naming a bad one', () => {
    const tlsOf = (tls: unknown) => loadConfig('spear', { profile: kafkaProfile({ tls }), env: {} }).kafka?.tls;
    expect(tlsOf(true)).toBe(true);
    expect(tlsOf(false)).toBe(false);
    // Not read here: the file is read when a client is made (libs/bus kafkaSecurityOptions).
    expect(tlsOf({ caFile: '/etc/spear/kafka-ca.pem', servername: 'kafka.internal' })).toEqual({ caFile: '/etc/spear/kafka-ca.pem', servername: 'kafka.internal', rejectUnauthorized: true });
    expect(tlsOf({ rejectUnauthorized: false })).toEqual({ rejectUnauthorized: false });
    for (const tls of ['yes', { caFile: '' }, { cafile: '/x' }, { rejectUnauthorized: 'no' }]) {
      expect(() => tlsOf(tls), JSON.stringify(tls)).toThrow(/kafka\.tls/);
    }
  });
});

describe('edge: trustProxy, the ticket gate\'s failed-check budget, pending handshakes', () => {
  const load = <A extends 'ticket' | 'spear'>(app: A, sections: Record<string, unknown>) => loadConfig(app, { profile: tempProfile({ extends: join(repoProfiles, 'local'), ...sections }), env: {} });

  it('trusts no proxy by default, and has the documented budgets', () => {
    const ticket = loadConfig('ticket', { env: env() });
    const spear = loadConfig('spear', { env: env() });
    expect(ticket.ticket.trustProxy).toBe(false);
    expect(ticket.ticket.rateLimit.perIpFailed).toEqual({ limit: 100, windowMs: 60_000 });
    expect(spear.spear.trustProxy).toBe(false);
    expect(spear.spear.handshake).toEqual({ timeoutMs: 5000, maxPending: 2000, maxPendingPerIp: 500 });
  });

  it('takes proxy addresses and CIDRs, expanding the named sets', () => {
    expect(load('ticket', { ticket: { trustProxy: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8'] } }).ticket.trustProxy).toEqual(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
    expect(load('spear', { spear: { trustProxy: ['loopback'] } }).spear.trustProxy).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it('refuses true, hop counts and what is not an address, naming the field', () => {
    for (const trustProxy of [true, 1, 'loopback']) {
      expect(() => load('ticket', { ticket: { trustProxy } }), JSON.stringify(trustProxy)).toThrow(/ticket\.trustProxy: expected false or a list of proxy addresses or CIDRs \(true and hop counts are refused/);
    }
    for (const entry of ['10.0.0.0/33', 'nginx', '::1/129', '10.0.0.1/']) {
      expect(() => load('spear', { spear: { trustProxy: [entry] } }), entry).toThrow(/spear\.trustProxy\.0: .*expected an IP address, a CIDR/);
    }
    expect(() => load('spear', { spear: { trustProxy: [] } })).toThrow(/spear\.trustProxy/);
  });

  it('checks the handshake section: a per-address cap within the node\'s, a timeout of 200 ms to 45 s', () => {
    expect(load('spear', { spear: { handshake: { timeoutMs: 2000, maxPending: 50, maxPendingPerIp: 10 } } }).spear.handshake).toEqual({ timeoutMs: 2000, maxPending: 50, maxPendingPerIp: 10 });
    expect(() => load('spear', { spear: { handshake: { timeoutMs: 2000, maxPending: 5, maxPendingPerIp: 10 } } })).toThrow(/spear\.handshake\.maxPendingPerIp: maxPendingPerIp cannot exceed maxPending/);
    expect(() => load('spear', { spear: { handshake: { timeoutMs: 60_000, maxPending: 5, maxPendingPerIp: 1 } } })).toThrow(/spear\.handshake\.timeoutMs/);
    expect(() => load('ticket', { ticket: { rateLimit: { perIpFailed: { limit: 0, windowMs: 60_000 } } } })).toThrow(/ticket\.rateLimit\.perIpFailed\.limit/);
  });
});

describe('secrets outside development profiles', () => {
  const prod = (extra: Record<string, unknown> = {}) => tempProfile({ ...JSON.parse(readFileSync(join(repoProfiles, 'test1/profile.json'), 'utf8')), name: 'prod-eu', ...extra });

  it('starts on long, unknown secrets; each app gets only its own', () => {
    const ticket = loadConfig('ticket', { profile: prod(), env: env(STRONG) });
    expect(Object.keys(ticket.secrets).sort()).toEqual(['adminKey', 'clusterSecret', 'ticketSecret', 'zookeeperPassword']);
    // Only ticket and spear sign or check tickets: the others never hold the ticket secret.
    for (const app of ['idgen', 'stat', 'minions'] as const) expect(loadConfig(app, { profile: prod(), env: env(STRONG) }).secrets, app).not.toHaveProperty('ticketSecret');
    expect(loadConfig('spear', { profile: prod(), env: env(STRONG) }).secrets).not.toHaveProperty('adminKey');
  });

  it('refuses a development secret, a short one, a ticket secret without a key id, and a previous ticket secret without an end', () => {
    const devLocal = JSON.parse(readFileSync(join(repoProfiles, 'local', 'profile.json'), 'utf8')).secrets as Record<string, string>;
    expect(() => loadConfig('ticket', { profile: prod(), env: env({ ...STRONG, SPEAR_ADMIN_KEY: devLocal.adminKey! }) })).toThrow(/"prod-eu" is not a development profile \(local\*, test\*\): secrets\.adminKey: is a development secret committed to the repository/);
    expect(() => loadConfig('ticket', { profile: prod(), env: env({ ...STRONG, SPEAR_CLUSTER_SECRET: devLocal.clusterSecret! }) })).toThrow(/secrets\.clusterSecret: is a development secret/);
    expect(() => loadConfig('ticket', { profile: prod(), env: env({ ...STRONG, SPEAR_ADMIN_KEY: 'only-twenty-chars-x' }) })).toThrow(/secrets\.adminKey: must be at least 32 bytes outside development profiles/);
    expect(() => loadConfig('ticket', { profile: prod(), env: env({ ...STRONG, SPEAR_TICKET_SECRET: 'a-ticket-secret-of-at-least-32-bytes-0123' }) })).toThrow(/secrets\.ticketSecret: needs a random key id outside development profiles, as <id>:<secret>/);
    expect(() => loadConfig('ticket', { profile: prod(), env: env({ ...STRONG, SPEAR_TICKET_SECRET_PREVIOUS: 'k0Old123:an-old-ticket-secret-of-at-least-32-bytes' }) })).toThrow(/secrets\.ticketSecretPreviousUntil: required with ticketSecretPrevious/);
    expect(loadConfig('ticket', { profile: prod(), env: env({ ...STRONG, SPEAR_TICKET_SECRET_PREVIOUS: 'k0Old123:an-old-ticket-secret-of-at-least-32-bytes', SPEAR_TICKET_SECRET_PREVIOUS_UNTIL: '1900000000000' }) }).secrets.ticketSecretPreviousUntil).toBe(1_900_000_000_000);
    // A profile that extends local inherits its dev secrets: refused unless it is itself a development profile.
    expect(() => loadConfig('ticket', { profile: tempProfile({ extends: join(repoProfiles, 'local'), name: 'staging' }), env: {} })).toThrow(/"staging" is not a development profile/);
    expect(loadConfig('ticket', { profile: tempProfile({ extends: join(repoProfiles, 'local'), name: 'local-staging', redis: { keyPrefix: 'spear:ls:' } }), env: {} }).secrets.adminKey).toBe(devLocal.adminKey);
  });

  it('refuses a minions operator whose password is the development one', async () => {
    const devOperators = JSON.parse(readFileSync(join(repoProfiles, 'local', 'profile.json'), 'utf8')).minions.operators as unknown[];
    const minions = (operators: unknown[]) => ({ minions: { http: { host: '127.0.0.1', port: 18400 }, operators } });
    expect(() => loadConfig('minions', { profile: prod(minions(devOperators)), env: env(STRONG) })).toThrow(/minions\.operators\.0: has a development password/);
    const own = await hashOperatorPassword('an operator password nobody committed');
    expect(loadConfig('minions', { profile: prod(minions([{ name: 'ops', passwordHash: own }])), env: env(STRONG) }).minions.operators).toHaveLength(1);
  });

  it("DEV_SECRETS lists every secret the repository's profiles state", () => {
    for (const dir of readdirSync(repoProfiles, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const secrets = (JSON.parse(readFileSync(join(repoProfiles, dir.name, 'profile.json'), 'utf8')) as { secrets?: Record<string, unknown> }).secrets ?? {};
      for (const [name, value] of Object.entries(secrets)) if (typeof value === 'string') expect(DEV_SECRETS, `${dir.name} secrets.${name}`).toContain(value);
    }
  });
});

describe('redis security (username, password, tls)', () => {
  const redisProfile = (redis: Record<string, unknown>) => tempProfile({ extends: join(repoProfiles, 'local'), redis: { url: 'redis://127.0.0.1:16379', keyPrefix: 'spear:', ...redis } });
  const PASSWORD = 'the-redis-password';
  /** The ConfigError message loading ticket with `redis` gives (the test fails if it loads). */
  const messageOf = (redis: Record<string, unknown>, envVars: Record<string, string> = {}) => {
    try {
      loadConfig('ticket', { profile: redisProfile(redis), env: envVars });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('loaded');
  };

  it('takes the password from SPEAR_REDIS_PASSWORD into redis.password; the local profile has none of the three', () => {
    const cfg = loadConfig('ticket', { profile: redisProfile({ username: 'spear', tls: true }), env: { SPEAR_REDIS_PASSWORD: PASSWORD } });
    expect(cfg.redis).toEqual({ url: 'redis://127.0.0.1:16379', keyPrefix: 'spear:', username: 'spear', password: PASSWORD, tls: true, cluster: false });
    const local = loadConfig('ticket', { env: env() }).redis;
    expect(local).toEqual({ url: 'redis://127.0.0.1:16379', keyPrefix: 'spear:', cluster: false });
    // requirepass: a password alone authenticates as Redis's default user.
    expect(loadConfig('ticket', { profile: redisProfile({}), env: { SPEAR_REDIS_PASSWORD: PASSWORD } }).redis.password).toBe(PASSWORD);
  });

  it('refuses a url holding a user or a password, pointing at redis.username and SPEAR_REDIS_PASSWORD, and repeats neither the url nor the password', () => {
    const secret = 'S3cr3t-in-the-url';
    for (const url of [`redis://spear:${secret}@10.0.0.1:6379`, `redis://:${secret}@10.0.0.1:6379/1`, `rediss://${secret}@10.0.0.1:6380`, `redis://10.0.0.1:6379/0?password=${secret}`, `redis://10.0.0.1:6379?username=${secret}`]) {
      const message = messageOf({ url });
      expect(message, url).toMatch(/: redis\.url: must not hold a user or password: set redis\.username in the profile and the password in SPEAR_REDIS_PASSWORD$/);
      expect(message).not.toContain(secret);
      expect(message).not.toContain('10.0.0.1');
    }
    // The same from the environment (SPEAR_REDIS_URL).
    const fromEnv = () => loadConfig('ticket', { env: env({ SPEAR_REDIS_URL: `redis://spear:${secret}@10.0.0.1:6379` }) });
    expect(fromEnv).toThrow(/redis\.url: must not hold a user or password/);
    expect(() => fromEnv()).not.toThrow(new RegExp(secret));
  });

  it('checks tls like kafka.tls; rediss:// with tls: false is a contradiction', () => {
    const tlsOf = (redis: Record<string, unknown>) => loadConfig('ticket', { profile: redisProfile(redis), env: {} }).redis.tls;
    expect(tlsOf({ tls: true })).toBe(true);
    expect(tlsOf({ url: 'rediss://redis.internal:6380' })).toBeUndefined(); // TLS all the same: libs/bus redisConnectionOptions
    // Not read here: the file is read when a client is made (libs/bus redisConnectionOptions).
    expect(tlsOf({ tls: { caFile: '/etc/spear/redis-ca.pem', servername: 'redis.internal' } })).toEqual({ caFile: '/etc/spear/redis-ca.pem', servername: 'redis.internal', rejectUnauthorized: true });
    for (const tls of ['yes', { caFile: '' }, { ca: 'x' }, { rejectUnauthorized: 'no' }]) {
      expect(messageOf({ tls }), JSON.stringify(tls)).toMatch(/redis\.tls/);
    }
    expect(messageOf({ url: 'rediss://redis.internal:6380', tls: false })).toMatch(/redis\.tls: false contradicts a rediss:\/\/ url \(TLS\); use redis:\/\/ for plaintext$/);
  });

  it('names a bad username or password without repeating the password', () => {
    expect(messageOf({ username: 'two words' })).toMatch(/redis\.username: expected 1-128 characters without spaces, @, : or \//);
    expect(messageOf({ password: 12345678 })).toMatch(/redis\.password: expected a string$/);
    expect(messageOf({ pasword: PASSWORD })).toMatch(/redis: .*pasword/);
  });

  it('a Redis Cluster: url and seeds are its nodes, database 0 only, one scheme, seeds only with cluster', () => {
    const seeds = ['redis://127.0.0.1:17002', 'redis://127.0.0.1:17003'];
    const cfg = loadConfig('ticket', { profile: redisProfile({ url: 'redis://127.0.0.1:17001', cluster: true, seeds }), env: {} });
    expect(cfg.redis).toMatchObject({ url: 'redis://127.0.0.1:17001', cluster: true, seeds });
    expect(loadEngineSettings({ profile: redisProfile({ url: 'redis://127.0.0.1:17001', cluster: true, seeds }), env: {} }).redisClusterNodes).toEqual(['redis://127.0.0.1:17001', ...seeds]);
    expect(loadEngineSettings({ profile: redisProfile({}), env: {} }).redisClusterNodes).toBeUndefined();
    expect(messageOf({ seeds })).toMatch(/redis\.seeds: only with cluster: true/);
    expect(messageOf({ url: 'redis://127.0.0.1:17001/2', cluster: true })).toMatch(/redis\.cluster: a Redis Cluster has only database 0/);
    expect(messageOf({ url: 'redis://127.0.0.1:17001', cluster: true, seeds: ['redis://127.0.0.1:17002/1'] })).toMatch(/redis\.cluster: a Redis Cluster has only database 0/);
    expect(messageOf({ url: 'rediss://127.0.0.1:17001', cluster: true, seeds })).toMatch(/redis\.seeds: every seed must use the scheme of url/);
    expect(messageOf({ url: 'redis://127.0.0.1:17001', cluster: true, seeds: ['redis://u:pw@127.0.0.1:17002'] })).toMatch(/redis\.seeds\.0: must not hold a user or password/);
    expect(messageOf({ cluster: true, seeds: [] })).toMatch(/redis\.seeds/);
  });

  it('the engines tool reads a profile with redis.username but no password (it needs only the port)', () => {
    const profile = redisProfile({ username: 'spear', tls: { caFile: '/etc/spear/redis-ca.pem' } });
    expect(loadEngineSettings({ profile, env: {} }).redisUrl).toBe('redis://127.0.0.1:16379');
  });
});
