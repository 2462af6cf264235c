import type { AppName, Secrets } from './schema';

/** The keys of the profile's `secrets` section. */
export type SecretName = keyof Secrets;

/** Every app joins the internal planes: RPC (the cluster secret) and ZooKeeper (its password). */
export const CORE_SECRETS = ['clusterSecret', 'zookeeperPassword'] as const;

/**
 * Which other secrets each app needs, and may hold at all: a process is given
 * only these and CORE_SECRETS (validateConfig drops the rest), so a breach of
 * one service does not hand over the others' keys. Only ticket and spear sign
 * or check tickets.
 */
export const APP_SECRETS = {
  ticket: { required: ['adminKey', 'ticketSecret'], optional: ['ticketSecretPrevious', 'ticketSecretPreviousUntil', 'jwtSecret'] },
  spear: { required: ['ticketSecret'], optional: ['ticketSecretPrevious', 'ticketSecretPreviousUntil', 'hookSecret'] },
  idgen: { required: [], optional: [] },
  // stat's HTTP API answers the admin key, or the read-only key for dashboards.
  stat: { required: ['adminKey'], optional: ['statReadKey'] },
  // minions calls ticket's admin API and stat's API on its operators' behalf.
  minions: { required: ['adminKey'], optional: [] },
} as const satisfies Record<AppName, { required: readonly SecretName[]; optional: readonly SecretName[] }>;

/** The secrets app A holds: the core ones and its required ones always set, its optional ones when given, no others. */
export type AppSecrets<A extends AppName> = Required<Pick<Secrets, (typeof CORE_SECRETS)[number]>> &
  Pick<Secrets, (typeof APP_SECRETS)[A]['optional'][number]> &
  Required<Pick<Secrets, (typeof APP_SECRETS)[A]['required'][number]>>;

/**
 * An app's own secrets out of the profile's: throws a message naming every
 * required one that is missing and the environment variable that sets it.
 */
export function secretsFor<A extends AppName>(app: A, secrets: Secrets, envOf: (name: SecretName) => string | undefined): AppSecrets<A> {
  const required: readonly SecretName[] = [...CORE_SECRETS, ...APP_SECRETS[app].required];
  const optional: readonly SecretName[] = APP_SECRETS[app].optional;
  const missing = required.filter((name) => secrets[name] === undefined);
  if (missing.length > 0) {
    throw new Error(missing.map((name) => `secrets.${name}: missing, ${app} needs it${envOf(name) ? ` (set ${envOf(name)})` : ''}`).join('; '));
  }
  const own: Record<string, unknown> = {};
  for (const name of [...required, ...optional]) if (secrets[name] !== undefined) own[name] = secrets[name];
  return own as AppSecrets<A>;
}

/**
 * Secrets committed to this repository's development and test profiles (and
 * the tests that state them). Anything but a development profile refusing
 * them is what keeps a deployment from running on a key everyone can read.
 * load.spec.ts checks that every secret in profiles/ is listed here.
 */
export const DEV_SECRETS: readonly string[] = [
  'dev-admin-key',
  'local-dev-ticket-secret-change-me',
  'local-dev-cluster-secret-change-me',
  'local-dev-zookeeper-password',
  'local-dev-stat-read-key',
];

/** Profiles that may run on development secrets: `local`, `local-*`, `test*` (and the test clusters derived from them). */
export function isDevelopmentProfile(name: string): boolean {
  return name === 'local' || name.startsWith('local-') || name.startsWith('test');
}

/** The shortest secret a non-development profile accepts, in bytes. */
export const MIN_PRODUCTION_SECRET_BYTES = 32;

/**
 * Why a non-development profile's secrets must not be used: a known
 * development secret, one shorter than 32 bytes, or a previous ticket secret
 * with no end to its rotation window (it would verify forever). Empty: fine.
 */
export function productionSecretProblems(secrets: Partial<Record<SecretName, unknown>>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (typeof value !== 'string') continue;
    const secret = secretPart(name, value);
    if (DEV_SECRETS.includes(value) || DEV_SECRETS.includes(secret)) problems.push(`secrets.${name}: is a development secret committed to the repository; set a random one`);
    else if (Buffer.byteLength(secret) < MIN_PRODUCTION_SECRET_BYTES) problems.push(`secrets.${name}: must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes outside development profiles`);
  }
  for (const name of ['ticketSecret', 'ticketSecretPrevious'] as const) {
    const value = secrets[name];
    if (typeof value === 'string' && !TICKET_KEY_ID.test(value)) problems.push(`secrets.${name}: needs a random key id outside development profiles, as <id>:<secret> (npm run secrets -- new prints one)`);
  }
  if (secrets.ticketSecretPrevious !== undefined && secrets.ticketSecretPreviousUntil === undefined) {
    problems.push('secrets.ticketSecretPreviousUntil: required with ticketSecretPrevious outside development profiles (when the old key stops verifying)');
  }
  return problems;
}

/** A ticket secret that names its key id (libs/tickets keyOf): `<id>:<secret>`. */
const TICKET_KEY_ID = /^[A-Za-z0-9_-]{6,16}:(.+)$/;

/** Ticket secrets may carry their key id: the length rule is about the secret. */
function secretPart(name: string, value: string): string {
  if (!name.startsWith('ticketSecret')) return value;
  return TICKET_KEY_ID.exec(value)?.[1] ?? value;
}

/** The ZooKeeper identity of a process (libs/registry ZooKeeperAuth) from its profile. */
export function zookeeperAuthOf(config: { zookeeper: { user: string }; secrets: { zookeeperPassword: string } }): { user: string; password: string } {
  return { user: config.zookeeper.user, password: config.secrets.zookeeperPassword };
}
