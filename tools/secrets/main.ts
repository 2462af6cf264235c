/**
 * `npm run secrets -- new`: prints a fresh set of the deployment's secrets as
 * environment lines (32 random bytes each, the ticket secret with a random
 * key id), ready for a secrets store. Nothing is written anywhere.
 */
import { randomBytes } from 'node:crypto';

const random = (bytes = 32) => randomBytes(bytes).toString('base64url');

function newSecrets(): Record<string, string> {
  return {
    SPEAR_CLUSTER_SECRET: random(),
    SPEAR_ZK_PASSWORD: random(),
    SPEAR_ADMIN_KEY: random(),
    SPEAR_STAT_READ_KEY: random(),
    // `<id>:<secret>`: tickets carry the id, which says nothing about the secret (libs/tickets keyOf).
    SPEAR_TICKET_SECRET: `${random(6)}:${random()}`,
    SPEAR_HOOK_SECRET: random(),
  };
}

const [command] = process.argv.slice(2);
if (command !== 'new') {
  console.error('usage: npm run secrets -- new   (prints fresh secrets as environment lines)');
  process.exit(2);
}
for (const [name, value] of Object.entries(newSecrets())) console.log(`${name}=${value}`);
