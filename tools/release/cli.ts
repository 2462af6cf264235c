/**
 * Command line of the release tool (see release.mjs):
 *   <app> <profile> | <app> --profile=<name or folder> [--out=<dir>] [--dist=<dir>]
 * Prints the release folder; exits 1 with the reason (e.g. the bad field) on failure.
 */
import { APP_NAMES, type AppName } from '@spear/config';
import { buildRelease } from './build-release';

const USAGE = 'usage: release <app> <profile> | release <app> --profile=<name or folder> [--out=<dir>] [--dist=<dir>]';

/** Parses argv into release options; throws with the usage on anything unexpected. */
function parseArgs(argv: string[]): { app: AppName; profile: string; outRoot?: string; distDir?: string } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (const arg of argv) {
    const m = /^--(profile|out|dist)=(.+)$/.exec(arg);
    if (m) flags.set(m[1]!, m[2]!);
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else positional.push(arg);
  }
  const [app, profileArg, ...extra] = positional;
  if (!app || extra.length > 0) throw new Error(USAGE);
  if (!(APP_NAMES as string[]).includes(app)) throw new Error(`unknown app "${app}" (apps: ${APP_NAMES.join(', ')})`);
  // Nx passes the profile positionally ({args.profile}); people type --profile=.
  const flag = flags.get('profile');
  if (profileArg && flag && profileArg !== flag) throw new Error(`two profiles given: ${profileArg} and ${flag}`);
  const profile = flag ?? profileArg;
  if (!profile) throw new Error(`no profile given\n${USAGE}`);
  return { app: app as AppName, profile, outRoot: flags.get('out'), distDir: flags.get('dist') };
}

try {
  const result = buildRelease(parseArgs(process.argv.slice(2)));
  const names = result.instances.map((i) => `${i.name} on ${i.host}:${i.port}`).join(', ');
  console.log(`release ${result.version} -> ${result.dir} (${names})`);
  if (result.requiredEnv.length > 0) console.log(`  needs at run time: ${result.requiredEnv.join(', ')}`);
} catch (error) {
  console.error(`release failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
