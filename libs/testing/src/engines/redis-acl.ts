import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The one ACL user a test Redis knows (its `default` user is off): spelled as
 * Spear's `redis.username` and SPEAR_REDIS_PASSWORD, so a test hands the same
 * values to the server and to its clients.
 */
export interface RedisAclUser {
  username: string;
  password: string;
}

/**
 * The ACL file holds the values unquoted (`user <name> on ><password>`), split
 * on spaces: characters that would end a token or start another rule are refused.
 */
const SAFE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Writes `<dir>/users.acl` (mode 0600) with `default` off and `user` allowed
 * every command, key and channel; returns its path for `--aclfile`. A file
 * rather than `--user` arguments, so the password is in no process's command line.
 */
export function writeAclFile(dir: string, user: RedisAclUser): string {
  // The values stay out of the messages: one of them is a password.
  if (!SAFE.test(user.username)) throw new Error('startRedis: user.username must be 1-64 characters of [A-Za-z0-9_.-]');
  if (!SAFE.test(user.password)) throw new Error('startRedis: user.password must be 1-64 characters of [A-Za-z0-9_.-]');
  const path = join(dir, 'users.acl');
  writeFileSync(path, `user default off\nuser ${user.username} on >${user.password} ~* &* +@all\n`, { mode: 0o600 });
  return path;
}
