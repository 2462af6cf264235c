import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * The minions operators' password hashes: scrypt in a self-describing string,
 * `scrypt$<N>$<r>$<p>$<salt, base64>$<hash, base64>`, so the cost can be
 * raised later without a flag day (each hash says how it was made).
 *
 * Bounded both ways: a profile cannot ask for a hash so cheap it is guessed
 * offline in no time, nor one so costly that each login eats a gigabyte
 * (a login is a scrypt run, and anyone can ask for one).
 */

export interface ScryptParams {
  /** CPU and memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism (runs one after the other in Node). */
  p: number;
}

/** What `npm run minions:hash-password` uses: 32 MiB and ~0.1 s per login on a small server. */
export const OPERATOR_HASH_PARAMS: Readonly<ScryptParams> = { N: 2 ** 15, r: 8, p: 1 };

/** The accepted range of each parameter; a profile outside it is refused at load. */
export const SCRYPT_LIMITS = {
  minN: 2 ** 14,
  maxN: 2 ** 18,
  maxR: 32,
  maxP: 16,
  /** scrypt's memory is 128·N·r bytes. */
  maxMemoryBytes: 256 * 1024 * 1024,
  /** N·r·p: the work, at most 16 times the default's. */
  maxWork: 2 ** 15 * 8 * 16,
  saltBytes: { min: 16, max: 64 },
  hashBytes: { min: 32, max: 64 },
} as const;

/** A parsed operator hash. */
export interface OperatorHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** Passwords known to be for development only (the local profile's `admin` has `minions`). */
export const DEV_OPERATOR_PASSWORDS: readonly string[] = ['minions'];

const FORMAT = 'expected scrypt$N$r$p$saltBase64$hashBase64 (make one with npm run minions:hash-password)';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DECIMAL = /^[1-9]\d{0,9}$/;

/** Parses an operator hash; throws an Error saying what is wrong (never echoing the hash). */
export function parseOperatorHash(text: string): OperatorHash {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new Error(FORMAT);
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  if (![n, r, p].every((x) => DECIMAL.test(x))) throw new Error(`${FORMAT}: N, r and p are positive integers`);
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const problem = paramsProblem(params);
  if (problem) throw new Error(problem);
  return { params, salt: decode(salt, 'salt', SCRYPT_LIMITS.saltBytes), hash: decode(hash, 'hash', SCRYPT_LIMITS.hashBytes) };
}

/** What is wrong with an operator hash, or undefined when it parses (for schema checks). */
export function operatorHashProblem(text: string): string | undefined {
  try {
    parseOperatorHash(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A new hash of `password` with a random salt. */
export async function hashOperatorPassword(password: string, params: ScryptParams = OPERATOR_HASH_PARAMS): Promise<string> {
  const problem = paramsProblem(params);
  if (problem) throw new Error(problem);
  if (password.length === 0) throw new Error('the password is empty');
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Whether `password` is the one `stored` was made from; constant time in the comparison. */
export async function verifyOperatorPassword(password: string, stored: OperatorHash): Promise<boolean> {
  const derived = await scryptAsync(password, stored.salt, stored.hash.length, stored.params);
  return timingSafeEqual(derived, stored.hash);
}

/**
 * Whether an operator hash was made from a development password
 * (DEV_OPERATOR_PASSWORDS): a production profile must refuse it. Synchronous
 * (one scrypt run per known password), for checks at load; a hash that does
 * not parse is no known hash (the schema refuses it anyway).
 */
export function isDevOperatorHash(text: string): boolean {
  let stored: OperatorHash;
  try {
    stored = parseOperatorHash(text);
  } catch {
    return false;
  }
  return DEV_OPERATOR_PASSWORDS.some((password) => timingSafeEqual(scryptSync(password, stored.salt, stored.hash.length, options(stored.params)), stored.hash));
}

function paramsProblem({ N, r, p }: ScryptParams): string | undefined {
  const L = SCRYPT_LIMITS;
  if (!Number.isInteger(N) || N < L.minN || N > L.maxN || (N & (N - 1)) !== 0) return `scrypt N must be a power of two from ${L.minN} to ${L.maxN}, not ${N}`;
  if (!Number.isInteger(r) || r < 1 || r > L.maxR) return `scrypt r must be 1 to ${L.maxR}, not ${r}`;
  if (!Number.isInteger(p) || p < 1 || p > L.maxP) return `scrypt p must be 1 to ${L.maxP}, not ${p}`;
  if (128 * N * r > L.maxMemoryBytes) return `scrypt N=${N}, r=${r} needs ${(128 * N * r) / 2 ** 20} MiB per login, more than ${L.maxMemoryBytes / 2 ** 20}`;
  if (N * r * p > L.maxWork) return `scrypt N·r·p = ${N * r * p} is more work per login than ${L.maxWork}`;
  return undefined;
}

function decode(text: string, what: string, size: { min: number; max: number }): Buffer {
  const bytes = BASE64.test(text) && text.length % 4 === 0 ? Buffer.from(text, 'base64') : undefined;
  if (!bytes || bytes.toString('base64') !== text) throw new Error(`${FORMAT}: the ${what} is not base64`);
  if (bytes.length < size.min || bytes.length > size.max) throw new Error(`the ${what} must be ${size.min} to ${size.max} bytes, not ${bytes.length}`);
  return bytes;
}

/** Node refuses scrypt runs above `maxmem` (32 MiB by default): room for what the bounded parameters need. */
const options = ({ N, r, p }: ScryptParams) => ({ N, r, p, maxmem: 2 * 128 * N * r });

function scryptAsync(password: string, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, options(params), (error, key) => (error ? reject(error) : resolve(key))));
}
