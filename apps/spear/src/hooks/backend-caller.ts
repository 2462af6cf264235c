import { createHmac } from 'node:crypto';
import type { BackendTarget } from '@spear/config';
import type { RpcClient } from '@spear/rpc';

/** The header an HTTP backend finds the call's signature in (PROTOCOL.md v1.1). */
export const SIGNATURE_HEADER = 'x-spear-signature';

/** Hex HMAC-SHA256 of the raw body with the profile's hook secret: what an HTTP backend checks before it trusts a call. */
export function signBody(rawBody: string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Why a backend call gave no usable answer (the hook's failure policy, or an rpc route's error code, follows). */
export class BackendCallError extends Error {
  constructor(
    readonly reason: 'timeout' | 'unavailable' | 'failed',
    message: string,
  ) {
    super(message);
  }
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
  ) {}

  async call(target: BackendTarget, payload: object, options: { timeoutMs: number; hashKey: string }): Promise<unknown> {
    return 'url' in target ? this.overHttp(target.url, payload, options.timeoutMs) : this.overRpc(target, payload, options);
  }

  private async overRpc(target: { service: string; method: string }, payload: object, options: { timeoutMs: number; hashKey: string }): Promise<unknown> {
    try {
      return await this.rpc.call(target.service, target.method, payload, { timeoutMs: options.timeoutMs, hashKey: options.hashKey });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const reason = code === 'timeout' ? 'timeout' : code === 'no_provider' ? 'unavailable' : 'failed';
      throw new BackendCallError(reason, `${target.service}.${target.method}: ${error instanceof Error ? error.message : String(error)}`);
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
    let text: string;
    try {
      text = await res.text(); // the timeout signal covers reading the body too
    } catch (error) {
      throw new BackendCallError('timeout', `${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!res.ok) throw new BackendCallError('failed', `${url}: HTTP ${res.status}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BackendCallError('failed', `${url}: the answer is not JSON`);
    }
  }
}
