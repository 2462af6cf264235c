import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppName } from '@spear/config';
import { releaseReadme } from './readme';
import { resolveReleaseProfile, type Instance } from './resolve-profile';
import { releaseVersion } from './version';

/** The workspace root, found from this file (tools/release). */
export const WORKSPACE_ROOT = resolve(__dirname, '../..');
const TEMPLATES = join(__dirname, 'templates');

export interface ReleaseOptions {
  app: AppName;
  /** A profile name (under profiles/) or a path to a profile folder or file. */
  profile: string;
  /** Where `<profile>/<app>/` is written; default dist/release. */
  outRoot?: string;
  /** Where the built bundles are (`<app>/main.js`); default dist/apps. */
  distDir?: string;
  /** Overrides the profiles/ folder that profile names resolve in. */
  profilesDir?: string;
}

export interface ReleaseResult {
  /** The release folder: `<outRoot>/<profile name>/<app>`. */
  dir: string;
  profileName: string;
  version: string;
  instances: Instance[];
  /** Env vars the release needs at run time (secrets the profile files do not hold). */
  requiredEnv: string[];
}

/**
 * Builds the release folder of one app for one profile: the bundle, the
 * resolved and validated profile, start/stop scripts, VERSION and README.
 * Everything is checked before the old folder is replaced, so a bad profile
 * or a missing bundle leaves the previous release as it was.
 */
export function buildRelease(options: ReleaseOptions): ReleaseResult {
  const { app } = options;
  const profile = resolveReleaseProfile(app, options.profile, { cwd: WORKSPACE_ROOT, profilesDir: options.profilesDir });
  const bundleDir = join(options.distDir ?? join(WORKSPACE_ROOT, 'dist/apps'), app);
  checkBundle(app, bundleDir);
  const version = releaseVersion(WORKSPACE_ROOT);

  const dir = join(options.outRoot ?? join(WORKSPACE_ROOT, 'dist/release'), profile.name, app);
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['app', 'config', 'bin']) mkdirSync(join(dir, sub), { recursive: true });

  copyFileSync(join(bundleDir, 'main.js'), join(dir, 'app/main.js'));
  copyFileSync(join(bundleDir, 'main.js.map'), join(dir, 'app/main.js.map'));
  if (app === 'minions') cpSync(join(bundleDir, 'ui'), join(dir, 'app/ui'), { recursive: true });

  writeFileSync(join(dir, 'config/profile.json'), `${JSON.stringify(profile.raw, null, 2)}\n`);
  writeFileSync(join(dir, 'config/instances'), instancesFile(profile.instances));
  writeFileSync(join(dir, 'config/required-env'), profile.requiredEnv.map((r) => `${r.env} ${r.field}\n`).join(''));
  for (const script of readdirSync(TEMPLATES)) {
    copyFileSync(join(TEMPLATES, script), join(dir, 'bin', script));
    chmodSync(join(dir, 'bin', script), script === 'common.sh' ? 0o644 : 0o755); // common.sh is sourced, not run
  }
  writeFileSync(join(dir, 'VERSION'), `${version}\n`);
  writeFileSync(join(dir, 'README.txt'), releaseReadme({ app, profile: profile.name, version, instances: profile.instances, requiredEnv: profile.requiredEnv }));
  return { dir, profileName: profile.name, version, instances: profile.instances, requiredEnv: profile.requiredEnv.map((r) => r.env) };
}

/** Fails with the command to run when the app has not been built. */
function checkBundle(app: AppName, bundleDir: string): void {
  const needed = ['main.js', 'main.js.map', ...(app === 'minions' ? ['ui/index.html'] : [])];
  const missing = needed.filter((f) => !existsSync(join(bundleDir, f)));
  if (missing.length > 0) {
    throw new Error(`the ${app} bundle is missing (${missing.map((f) => join(bundleDir, f)).join(', ')}); build it first: npx nx run ${app}:build`);
  }
}

/** config/instances: one `name host port [nodeId]` line per process, read by bin/*.sh. */
function instancesFile(instances: Instance[]): string {
  const lines = instances.map((i) => [i.name, i.host, String(i.port), ...(i.nodeId ? [i.nodeId] : [])].join(' '));
  return `# name host port [nodeId]: written at release time from the profile\n${lines.join('\n')}\n`;
}
