/** Thrown for a non-2xx answer; carries the server's error message when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const unauthorizedListeners = new Set<() => void>();

/** Called whenever the server says the session is gone (401), so the app can show the login. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** JSON over fetch, same origin (the session cookie goes along). */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (e) {
    throw new ApiError(0, `dashboard server unreachable (${(e as Error).message})`);
  }
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (res.status === 401) for (const l of unauthorizedListeners) l();
  if (!res.ok) throw new ApiError(res.status, (body as { error?: { message?: string } } | undefined)?.error?.message ?? `HTTP ${res.status}`);
  return body as T;
}
