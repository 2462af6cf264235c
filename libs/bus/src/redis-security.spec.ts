import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRedisCertificate, makeTempDir, removeTempDir } from '@spear/testing';
import { ReplyError } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from './create-bus';
import { loggableRedisUrl, redisAccessProblem, redisConnectionOptions, REDIS_PASSWORD_MISSING } from './redis-security';

let dir: string;
let caFile: string;

beforeAll(() => {
  dir = makeTempDir('spear-bus-redis-security-');
  caFile = makeRedisCertificate(dir).certFile;
});

afterAll(() => {
  if (dir) removeTempDir(dir);
});

describe('redisConnectionOptions', () => {
  const url = 'redis://127.0.0.1:6379';

  it('passes the user and the password through and adds nothing for a plain url', () => {
    expect(redisConnectionOptions({ url })).toEqual({});
    expect(redisConnectionOptions({ url, username: 'spear', password: 'a-password' })).toEqual({ username: 'spear', password: 'a-password' });
    // requirepass: the default user.
    expect(redisConnectionOptions({ url, password: 'a-password' })).toEqual({ password: 'a-password' });
  });

  it('refuses a user without a password (ioredis would connect as default), naming the variable', () => {
    expect(() => redisConnectionOptions({ url, username: 'spear' })).toThrow(REDIS_PASSWORD_MISSING);
    expect(REDIS_PASSWORD_MISSING).toMatch(/^redis\.password: missing: set SPEAR_REDIS_PASSWORD/);
    // createBus checks it at once, so a service stops at boot rather than at its first publish.
    expect(() => createBus({ bus: 'redis', redis: { url, username: 'spear' } })).toThrow(REDIS_PASSWORD_MISSING);
  });

  it('uses TLS for rediss:// and for a tls section; reads the CA file; sets only the fields given', () => {
    expect(redisConnectionOptions({ url: 'rediss://redis.internal:6380' })).toEqual({ tls: {} });
    expect(redisConnectionOptions({ url, tls: true })).toEqual({ tls: {} });
    expect(redisConnectionOptions({ url, tls: false })).toEqual({});
    expect(redisConnectionOptions({ url: 'rediss://h:1', tls: { caFile } })).toEqual({ tls: { rejectUnauthorized: true, ca: [readFileSync(caFile, 'utf8')] } });
    // No servername key when none is set: Node's default (the url's host) must stay.
    expect(redisConnectionOptions({ url, tls: {} })).toEqual({ tls: { rejectUnauthorized: true } });
    expect(redisConnectionOptions({ url, tls: { rejectUnauthorized: false, servername: 'redis.test' } })).toEqual({ tls: { rejectUnauthorized: false, servername: 'redis.test' } });
  });

  it('refuses tls: false with a rediss:// url instead of silently going plaintext', () => {
    expect(() => redisConnectionOptions({ url: 'rediss://h:1', tls: false })).toThrow('redis.tls: false contradicts a rediss:// url (TLS); use redis:// for plaintext');
  });

  it('names the field and the path of a CA file that cannot be read or is no PEM certificate', () => {
    const missing = join(dir, 'no-such-ca.pem');
    expect(() => redisConnectionOptions({ url, tls: { caFile: missing } })).toThrow(`redis.tls.caFile: cannot read ${missing}: ENOENT`);
    const notPem = join(dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello');
    expect(() => redisConnectionOptions({ url, tls: { caFile: notPem } })).toThrow(`redis.tls.caFile: ${notPem} holds no PEM certificate`);
    expect(() => createBus({ bus: 'redis', redis: { url, tls: { caFile: missing } } })).toThrow(/redis\.tls\.caFile: cannot read/);
  });
});

describe('loggableRedisUrl', () => {
  it('keeps scheme, host, port and database and drops a user, a password and the query', () => {
    expect(loggableRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(loggableRedisUrl('rediss://redis.internal:6380/2')).toBe('rediss://redis.internal:6380/2');
    expect(loggableRedisUrl('redis://spear:s3cret@redis.internal:6379/1?password=s3cret')).toBe('redis://redis.internal:6379/1');
    expect(loggableRedisUrl('redis://:s3cret@[::1]:6379')).toBe('redis://[::1]:6379');
    expect(loggableRedisUrl('not a url s3cret')).not.toContain('s3cret');
  });
});

describe('redisAccessProblem', () => {
  it('names a refused login and the settings to check', () => {
    expect(redisAccessProblem(new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'))).toBe(
      'authentication refused: WRONGPASS invalid username-password pair or user is disabled. (check redis.username and SPEAR_REDIS_PASSWORD)',
    );
    expect(redisAccessProblem(new Error('Ready check failed: NOAUTH Authentication required.'))).toMatch(/^authentication refused: NOAUTH Authentication required\./);
  });

  it('gives a TLS failure by its code only (Node\'s messages may name the host)', () => {
    const altnames = Object.assign(new Error("Hostname/IP does not match certificate's altnames: Host: redis.internal"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(redisAccessProblem(altnames)).toBe("TLS handshake failed: ERR_TLS_CERT_ALTNAME_INVALID (check redis.tls and the server's certificate)");
    expect(redisAccessProblem(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }))).toMatch(/^TLS handshake failed: DEPTH_ZERO_SELF_SIGNED_CERT/);
  });

  it('says nothing about other errors', () => {
    expect(redisAccessProblem(Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });
});
