/**
 * Makes a minions operator's password hash:
 *   npm run minions:hash-password            (asks, without echo)
 *   printf %s "$PASSWORD" | npm run -s minions:hash-password
 * The password is read from standard input, never from the command line
 * (which other users see in `ps` and shells keep in their history). Prints
 * the hash on standard output; where it goes on standard error.
 */
import { hashOperatorPassword } from '@spear/config';
import { passwordFromInput, readHidden } from './read-password';

/** Shorter passwords get a warning (the dev password `minions` is one). */
const RECOMMENDED_LENGTH = 12;

async function main(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    console.error('usage: npm run minions:hash-password   (the password is read from standard input, never from arguments)');
    return 2;
  }
  const password = process.stdin.isTTY ? await readHidden('operator password: ') : passwordFromInput(await readAll(process.stdin));
  if (!password) {
    console.error('no password given');
    return 2;
  }
  if (password.length < RECOMMENDED_LENGTH) console.error(`warning: ${password.length} characters; an operator password should have ${RECOMMENDED_LENGTH} or more`);
  const hash = await hashOperatorPassword(password);
  process.stdout.write(`${hash}\n`);
  console.error('put it in the profile as minions.operators: [{ "name": "<name>", "passwordHash": "<the hash>" }]');
  console.error("or in the environment: SPEAR_MINIONS_OPERATORS='<name>:<the hash>[,<name>:<hash>...]'");
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
