/** The local profile's development operator (profiles/local/profile.json, minions.operators); test profiles derive from local. */
export const DEV_OPERATOR = { name: 'admin', password: 'minions' } as const;

/**
 * The Origin a script names to change anything on the dashboard: its own
 * (minions refuses a POST, PUT or DELETE naming another origin, or none).
 */
export function sameOrigin(minionsUrl: string): { origin: string } {
  return { origin: new URL(minionsUrl).origin };
}

/** Logs in over the API as `operator`; the session cookie (`minions_session=...`) for later requests. */
export async function minionsLogin(minionsUrl: string, operator: { name: string; password: string } = DEV_OPERATOR): Promise<string> {
  const res = await fetch(`${minionsUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...sameOrigin(minionsUrl) }, body: JSON.stringify(operator) });
  if (res.status !== 204) throw new Error(`minions login as ${operator.name}: HTTP ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
