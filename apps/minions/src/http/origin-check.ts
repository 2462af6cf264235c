/** Methods that change nothing: never checked (the dashboard's GET routes only read). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a state-changing request was refused: its code and a message that says what to send instead. */
export interface OriginRefusal {
  code: 'cross_origin' | 'origin_required';
  message: string;
}

export interface RequestOriginHeaders {
  method: string;
  origin?: string;
  referer?: string;
}

/**
 * The dashboard's CSRF defence, beside its SameSite=Strict cookie: a
 * state-changing request (POST, PUT, PATCH, DELETE...) must say it comes from
 * the dashboard's own pages.
 *
 * - `Origin` present: it must be `allowed` exactly (`null`, sent by sandboxed
 *   frames and some redirects, never is).
 * - No `Origin` but a `Referer`: the referring page's origin must be `allowed`.
 * - Neither: refused (`origin_required`). Browsers send Origin with every
 *   POST, PUT and DELETE, so only a browser that strips both headers or a
 *   script lands here; a script states the origin it means
 *   (`-H 'Origin: http://127.0.0.1:40000'`), and no browser is trusted on
 *   the strength of a missing header.
 *
 * `allowed` is lower case, `<scheme>://<host[:port]>`; undefined (no Host)
 * refuses every state-changing request.
 */
export function originRefusal(request: RequestOriginHeaders, allowed: string | undefined): OriginRefusal | undefined {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
  const expected = allowed ?? '(unknown: the request named no host)';
  if (request.origin !== undefined) {
    if (allowed !== undefined && request.origin.toLowerCase() === allowed) return undefined;
    return { code: 'cross_origin', message: `Origin ${JSON.stringify(request.origin.slice(0, 200))} is not this dashboard's (${expected}): refused` };
  }
  if (request.referer !== undefined) {
    const from = originOf(request.referer);
    if (allowed !== undefined && from === allowed) return undefined;
    return { code: 'cross_origin', message: `the Referer's origin ${from ? JSON.stringify(from.slice(0, 200)) : '(not a URL)'} is not this dashboard's (${expected}): refused` };
  }
  return { code: 'origin_required', message: `a ${request.method} needs an Origin header naming this dashboard (Origin: ${expected}); scripts add it themselves` };
}

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return /^https?:$/.test(parsed.protocol) ? parsed.origin.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
