/**
 * The `local` profile's `secrets.adminKey`. Every test cluster derives from
 * that profile (writeClusterProfile), so this is the key its ticket expects;
 * admin.spec.ts checks the two agree.
 */
export const DEV_ADMIN_KEY = 'dev-admin-key';

/** Headers of a backend's admin call to ticket: the admin key as a Bearer token, and a JSON body. */
export function adminHeaders(adminKey = DEV_ADMIN_KEY): Record<string, string> {
  return { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
}

export interface IssueTokenOptions {
  ttlSeconds?: number;
  adminKey?: string;
}

/**
 * A token for `uid` from ticket's `POST /v1/tokens`, as the app's backend
 * gets it. Throws with ticket's answer unless it is a 201, so a broken admin
 * call fails where it happens, not as a confusing ticket refusal later.
 */
export async function issueToken(ticketUrl: string, uid: string, options: IssueTokenOptions = {}): Promise<string> {
  const res = await fetch(`${ticketUrl}/v1/tokens`, {
    method: 'POST',
    headers: adminHeaders(options.adminKey),
    body: JSON.stringify({ uid, ttlSeconds: options.ttlSeconds }),
  });
  if (res.status !== 201) throw new Error(`token for ${uid}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
