import { z } from 'zod';
import { operatorHashProblem } from './operator-hash';
import { httpListener } from './primitives';
import { trustProxySchema } from './trust-proxy';

export * from './operator-hash';

/** What an operator name may be: it shows in the audit log and in the dashboard's header. */
export const OPERATOR_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;

/** One operator account of the dashboard: a name and an scrypt hash of the password (never the password). */
export const operatorSchema = z.strictObject({
  name: z.string().regex(OPERATOR_NAME, 'an operator name is 1-64 characters of [A-Za-z0-9_.@-]'),
  passwordHash: z
    .string()
    .max(512, 'too long for an operator hash')
    .superRefine((hash, ctx) => {
      const problem = operatorHashProblem(hash);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
});
export type OperatorAccount = z.infer<typeof operatorSchema>;

/** Most operator accounts one profile may list. */
export const MAX_OPERATORS = 100;

export const minionsSchema = z.strictObject({
  http: httpListener,
  /** Where the dashboard's server finds ticket (for the simulator); defaults to the profile's ticket listener. */
  ticketUrl: z.string().url().optional(),
  /**
   * Who may log in to the dashboard. Usually from the environment
   * (SPEAR_MINIONS_OPERATORS, which replaces this list); minions refuses to
   * start with none.
   */
  operators: z
    .array(operatorSchema)
    .max(MAX_OPERATORS)
    .refine((list) => new Set(list.map((o) => o.name)).size === list.length, 'operator names must be unique')
    .optional(),
  /**
   * The reverse proxies (nginx) in front of the dashboard, as addresses and
   * CIDRs (the same field as ticket's and spear's): from those peers only,
   * X-Forwarded-For, -Proto and -Host name the client address (login
   * throttling, audit), whether it came over HTTPS (the cookie's Secure flag)
   * and the host it asked for (the Origin check). `false` (the default): from
   * the connection; the headers are ignored, since anyone could send them.
   * `true` is refused: it would believe them from whoever connects.
   */
  trustProxy: trustProxySchema.default(false),
  /**
   * The dashboard's origin as browsers reach it (`https://minions.example.com`):
   * state-changing requests from any other Origin are refused. Absent: the
   * origin the request itself names (Host, and X-Forwarded-Proto/-Host from a
   * listed trustProxy peer).
   */
  origin: z
    .string()
    .url()
    .refine((u) => /^https?:/.test(u) && new URL(u).origin === u.replace(/\/$/, ''), 'expected an origin such as https://minions.example.com (scheme, host, port; no path)')
    .optional(),
});
export type MinionsConfig = z.infer<typeof minionsSchema>;

/**
 * SPEAR_MINIONS_OPERATORS: `name:hash[,name:hash...]` (a hash holds no `:`
 * or `,`). Malformed entries are kept as they are, so the schema names the
 * field that is wrong (minions.operators.<i>...).
 */
export function operatorsFromEnv(value: string): Array<{ name: string; passwordHash: string }> {
  return value.split(',').map((entry) => {
    const colon = entry.indexOf(':');
    return colon < 0 ? { name: entry.trim(), passwordHash: '' } : { name: entry.slice(0, colon).trim(), passwordHash: entry.slice(colon + 1).trim() };
  });
}
