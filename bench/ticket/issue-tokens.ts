/**
 * The tokens of bench/ticket/tickets.bench.ts: one per uid through
 * POST /v1/tokens (admin key), with autocannon (`connections` connections, one
 * request per uid; much faster than fetch), then fetch for any uid whose
 * request failed.
 */
import autocannon from 'autocannon';
import { checkInterrupted } from '../rpc/measure';
import { autocannonRun, type BodyContext } from './autocannon-load';

export async function issueTokens(ticketUrl: string, adminKey: string, users: number, connections: number, uidOf: (i: number) => string): Promise<string[]> {
  const tokens = new Array<string | undefined>(users);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` };
  const body = (i: number) => JSON.stringify({ uid: uidOf(i), ttlSeconds: 3600 });
  let next = 0;
  await new Promise<void>((done, fail) => {
    autocannonRun.instance = autocannon(
      {
        url: ticketUrl,
        connections: Math.min(connections, users),
        amount: users,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            path: '/v1/tokens',
            headers,
            setupRequest: (req, context) => {
              // A reconnect may build more requests than `amount`: wrap (a second token for a uid is as good).
              const i = next++ % users;
              (context as BodyContext).i = i;
              return { ...req, body: body(i) };
            },
            onResponse: (status, text, context) => {
              if (status === 201) tokens[(context as BodyContext).i!] = (JSON.parse(text) as { token: string }).token;
            },
          },
        ],
      },
      (error) => {
        autocannonRun.instance = undefined;
        if (error) fail(error);
        else done();
      },
    );
  });
  checkInterrupted();
  for (let i = 0; i < users; i++) {
    if (tokens[i] !== undefined) continue;
    const res = await fetch(`${ticketUrl}/v1/tokens`, { method: 'POST', headers, body: body(i) });
    if (res.status !== 201) throw new Error(`POST /v1/tokens for ${uidOf(i)}: ${res.status} ${await res.text()}`);
    tokens[i] = ((await res.json()) as { token: string }).token;
  }
  return tokens as string[];
}
