import { SIGNATURE_HEADER, signBody } from '@spear/backend';
import type { BackendTarget } from '@spear/config';
import type { RpcClient } from '@spear/rpc';

/** Why a backend call gave no usable answer (the hook's failure policy, or an rpc route's error code, follows). */
export class BackendCallError extends Error {
  constructor(
    readonly reason: 'timeout' | 'unavailable' | 'no_method' | 'failed',
    message: string,
    /** The code an RPC handler chose when it threw (RpcError with a code of its own). */
    readonly appCode?: string,
  ) {
    super(message);
  }
}

/** libs/rpc's codes that say the backend could not be reached or could not serve, not what it decided. */
const UNREACHABLE = new Set(['no_provider', 'connection_lost', 'shutting_down', 'not_serving', 'not_sent']);
/** libs/rpc's codes of a failure inside the call, none of them chosen by the handler. */
const TRANSPORT_FAILURES = new Set(['remote_error', 'bad_request', 'too_large']);

/** Maps a libs/rpc failure to why the backend call failed; a code the handler chose rides along. */
function rpcFailure(error: unknown, what: string): BackendCallError {
  const code = (error as { code?: unknown }).code;
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  if (code === 'timeout') return new BackendCallError('timeout', message);
  if (typeof code === 'string' && UNREACHABLE.has(code)) return new BackendCallError('unavailable', message);
  if (code === 'no_handler') return new BackendCallError('no_method', message);
  if (typeof code === 'string' && !TRANSPORT_FAILURES.has(code)) return new BackendCallError('failed', message, code);
  return new BackendCallError('failed', message);
}

/**
 * Calls the app's backend: a cluster RPC service (libs/rpc: found in
 * ZooKeeper, its balancer and failover policy; `hashKey` picks the provider
 * under consistent hashing) or an HTTP URL (a JSON POST signed with
 * X-Spear-Signature). Resolves with the backend's JSON answer; rejects with
 * a BackendCallError within `timeoutMs`, never later.
 *
 * Guarantee: at-most-once per call over HTTP; over RPC, as the service's
 * policy says (a retry only where it is declared safe).
 */
export class BackendCaller {
  constructor(
    private readonly rpc: RpcClient,
    private readonly hookSecret: string | undefined,
    /** Largest HTTP answer read; a larger one fails the call (a broken backend must not fill the node's memory). */
    private readonly maxAnswerBytes = 1 << 20,
  ) {}

  /** `retrySafe`: over RPC, a failed attempt may go to another provider (the route says the method is idempotent). */
  async call(target: BackendTarget, payload: object, options: { timeoutMs: number; hashKey: string; retrySafe?: boolean }): Promise<unknown> {
    return 'url' in target ? this.overHttp(target.url, payload, options.timeoutMs) : this.overRpc(target, payload, options);
  }

  private async overRpc(target: { service: string; method: string }, payload: object, options: { timeoutMs: number; hashKey: string; retrySafe?: boolean }): Promise<unknown> {
    const what = `${target.service}.${target.method}`;
    const call = this.rpc.call(target.service, target.method, payload, { timeoutMs: options.timeoutMs, hashKey: options.hashKey, retrySafe: options.retrySafe ?? false });
    // One bound for the whole call: discovery and failover attempts included.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BackendCallError('timeout', `${what}: no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    try {
      return await Promise.race([call.catch((error: unknown) => Promise.reject(rpcFailure(error, what))), deadline]);
    } finally {
      clearTimeout(timer);
      call.catch(() => undefined); // a late failure after the deadline is nobody's business
    }
  }

  private async overHttp(url: string, payload: object, timeoutMs: number): Promise<unknown> {
    if (!this.hookSecret) throw new BackendCallError('failed', 'no secrets.hookSecret to sign HTTP backend calls with');
    const body = JSON.stringify(payload);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(body, this.hookSecret) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new BackendCallError(timedOut ? 'timeout' : 'unavailable', `${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new BackendCallError('failed', `${url}: HTTP ${res.status}`);
    }
    const text = await readCapped(res, this.maxAnswerBytes, url); // the timeout signal covers reading the body too
    if (text.trim() === '') return null; // a 2xx with no body: answered (what notification hooks need), no data
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BackendCallError('failed', `${url}: the answer is not JSON`);
    }
  }
}

/** The body as text, at most `max` bytes: past it the read stops and the call fails. */
async function readCapped(res: Response, max: number, url: string): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        throw new BackendCallError('failed', `${url}: the answer is over ${max} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof BackendCallError) throw error;
    throw new BackendCallError('timeout', `${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}
