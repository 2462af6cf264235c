import type { CreateTicketResponse } from '@spear/protocol';
import { SpearError } from './errors';

export interface TicketRequest {
  ticketUrl: string;
  uid: string;
  token: string;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Nodes the client just failed to reach; sent only when non-empty (a Spear extension of the request). */
  avoid?: string[];
}

/**
 * `POST {ticketUrl}/v1/tickets {uid, token}`: a single-use ticket and the node
 * to use it on. Rejects with a SpearError carrying the protocol's code
 * (`invalid_token`, `rate_limited`, `no_nodes`, ...) or `network`/`timeout`.
 */
export async function fetchTicket(request: TicketRequest): Promise<CreateTicketResponse> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), request.timeoutMs);
  try {
    let res: Response;
    try {
      res = await request.fetch(`${request.ticketUrl}/v1/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uid: request.uid, token: request.token, ...(request.avoid?.length ? { avoid: request.avoid } : {}) }),
        signal: abort.signal,
      });
    } catch (error) {
      if (abort.signal.aborted) throw new SpearError('timeout', `ticket service did not answer within ${request.timeoutMs} ms`);
      throw new SpearError('network', `ticket service unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    const body = (await res.json().catch(() => undefined)) as Partial<CreateTicketResponse> & { error?: { code?: string; message?: string } } | undefined;
    if (res.status === 200 && typeof body?.ticket === 'string' && typeof body.node?.url === 'string') return body as CreateTicketResponse;
    const code = body?.error?.code ?? codeForStatus(res.status);
    throw new SpearError(code, body?.error?.message ?? `ticket service answered HTTP ${res.status}`);
  } finally {
    clearTimeout(timer);
  }
}

/** A code for an answer without a protocol error body (a proxy's page, say). */
function codeForStatus(status: number): string {
  if (status === 401) return 'invalid_token';
  if (status === 429) return 'rate_limited';
  if (status >= 500 || status === 200) return 'internal';
  return 'bad_request';
}

/**
 * Refusals a new attempt cannot fix: the token or the request is wrong.
 * The client stops and reports them instead of retrying forever.
 */
export function isPermanent(error: SpearError): boolean {
  return error.code === 'invalid_token' || error.code === 'bad_request' || error.code === 'unauthorized';
}
