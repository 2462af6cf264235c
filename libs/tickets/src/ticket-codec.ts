import { createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { TicketKeys } from './keys';

const VERSION = 't1';

/** What a ticket says: who, which node, until when, and a nonce that makes it single-use. */
export interface TicketClaims {
  uid: string;
  nodeId: string;
  /** epoch ms */
  expiresAt: number;
  nonce: string;
  /** Which opaque token it was issued with (a short digest, see tokenRef): revoking the token kicks its connections. */
  tokenRef?: string;
}

export type TicketRefusal = 'invalid_ticket' | 'expired_ticket' | 'wrong_node';

export type VerifyResult = { ok: true; claims: TicketClaims } | { ok: false; code: TicketRefusal; reason: string };

/**
 * Signs a ticket: `t1.<keyId>.<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`.
 * The HMAC covers everything before it, so no field can be changed.
 */
export function signTicket(keys: TicketKeys, claims: Omit<TicketClaims, 'nonce'>, nonce = freshNonce()): string {
  const fields = { u: claims.uid, n: claims.nodeId, e: claims.expiresAt, x: nonce, ...(claims.tokenRef ? { k: claims.tokenRef } : {}) };
  const body = Buffer.from(JSON.stringify(fields)).toString('base64url');
  const head = `${VERSION}.${keys.current.id}.${body}`;
  return `${head}.${mac(keys.current.key, head)}`;
}

/**
 * Checks signature, expiry and node, without any I/O (spear verifies
 * tickets without calling ticket). Single use is the caller's second step:
 * record the nonce (see NonceStore).
 */
export function verifyTicket(keys: TicketKeys, ticket: unknown, nodeId: string, now = Date.now()): VerifyResult {
  if (typeof ticket !== 'string' || ticket.length > 1024) return refuse('invalid_ticket', 'not a ticket');
  const parts = ticket.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return refuse('invalid_ticket', 'not a ticket');
  const [, keyId, body, signature] = parts as [string, string, string, string];
  const key = keys.current.id === keyId ? keys.current : keys.previous?.id === keyId ? keys.previous : undefined;
  if (!key) return refuse('invalid_ticket', 'signed with an unknown key');
  if (key.notAfter !== undefined && now > key.notAfter) return refuse('invalid_ticket', 'signed with a retired key');
  const expected = Buffer.from(mac(key.key, `${VERSION}.${keyId}.${body}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('invalid_ticket', 'bad signature');
  let raw: { u?: unknown; n?: unknown; e?: unknown; x?: unknown; k?: unknown };
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return refuse('invalid_ticket', 'unreadable claims');
  }
  if (typeof raw.u !== 'string' || typeof raw.n !== 'string' || typeof raw.e !== 'number' || typeof raw.x !== 'string') {
    return refuse('invalid_ticket', 'incomplete claims');
  }
  if (raw.k !== undefined && typeof raw.k !== 'string') return refuse('invalid_ticket', 'incomplete claims');
  const claims: TicketClaims = { uid: raw.u, nodeId: raw.n, expiresAt: raw.e, nonce: raw.x, ...(raw.k ? { tokenRef: raw.k } : {}) };
  if (now >= claims.expiresAt) return refuse('expired_ticket', 'the ticket has expired');
  if (claims.nodeId !== nodeId) return refuse('wrong_node', `the ticket is for node ${claims.nodeId}`);
  return { ok: true, claims };
}

/** The reference a ticket carries for the opaque token it was issued with: 16 hex digits of the token's SHA-256. */
export function tokenRef(tokenSha256Hex: string): string {
  return tokenSha256Hex.slice(0, 16);
}

const NONCE_BYTES = 16;
/** 512 nonces per randomBytes call: one syscall and one allocation for many tickets, same randomness. */
const POOL_BYTES = NONCE_BYTES * 512;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** 128 random bits, base64url; never handed out twice (the pool is consumed, not reused). */
function freshNonce(): string {
  if (poolOffset + NONCE_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const nonce = pool.toString('base64url', poolOffset, poolOffset + NONCE_BYTES);
  poolOffset += NONCE_BYTES;
  return nonce;
}

function mac(key: KeyObject, data: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}

function refuse(code: TicketRefusal, reason: string): VerifyResult {
  return { ok: false, code, reason };
}
