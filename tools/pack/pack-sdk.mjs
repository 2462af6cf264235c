// Packs an SDK (libs/client or libs/backend) into an npm tarball an app outside this workspace installs:
// ESM with the workspace libraries it uses bundled in, third-party packages as dependencies, one .d.ts,
// its README, and for the client a browser bundle. Usage: node tools/pack/pack-sdk.mjs <client|backend> [outDir]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SDKS = {
  client: { description: 'Spear client SDK: connect users to a Spear cluster, send, publish, receive, call backends (rpc)', platform: 'neutral', browser: true },
  backend: { description: 'Spear backend SDK: serve rpc methods and hooks to a Spear cluster, push as svc:<name>', platform: 'node', browser: false },
};
const sdk = process.argv[2];
if (!SDKS[sdk]) {
  console.error('usage: node tools/pack/pack-sdk.mjs <client|backend> [outDir]');
  process.exit(2);
}
const out = resolve(process.argv[3] ?? join(root, 'dist/packages'), sdk);
const entry = join(root, `libs/${sdk}/src/index.ts`);
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const requireFromRoot = createRequire(join(root, 'package.json'));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** Third-party packages the bundle imports, kept external: they become the package's dependencies, at the versions installed here. */
const external = new Set();
const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@spear/') || args.path.startsWith('node:')) return undefined; // ours are bundled; built-ins stay
      external.add(packageOf(args.path));
      return { path: args.path, external: true };
    });
  },
};
const common = { entryPoints: [entry], bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning', legalComments: 'none' };
await build({ ...common, platform: SDKS[sdk].platform, outfile: join(out, 'index.js'), plugins: [externals], ...(SDKS[sdk].platform === 'neutral' ? { mainFields: ['module', 'main'] } : {}) });
// The browser bundle carries socket.io-client too: one <script type="module"> import, no bundler needed.
if (SDKS[sdk].browser) await build({ ...common, platform: 'browser', outfile: join(out, 'browser.js'), minify: true });

execFileSync(process.execPath, [join(root, 'node_modules/dts-bundle-generator/dist/bin/dts-bundle-generator.js'), '--project', join(root, 'tools/pack/tsconfig.pack.json'), '-o', join(out, 'index.d.ts'), '--no-check', '--silent', entry], { stdio: 'inherit' });

const versionOf = (name) => JSON.parse(readFileSync(requireFromRoot.resolve(`${name}/package.json`), 'utf8')).version;
const dependencies = Object.fromEntries([...external].sort().map((name) => [name, rootPackage.dependencies?.[name] ?? versionOf(name)]));
const manifest = {
  name: `@spear/${sdk}`,
  version: rootPackage.version,
  description: SDKS[sdk].description,
  license: rootPackage.license,
  type: 'module',
  engines: { node: '>=20' },
  exports: { '.': { types: './index.d.ts', import: './index.js' }, ...(SDKS[sdk].browser ? { './browser': './browser.js' } : {}) },
  types: './index.d.ts',
  files: ['index.js', 'index.d.ts', 'README.md', ...(SDKS[sdk].browser ? ['browser.js'] : [])],
  dependencies,
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
copyFileSync(join(root, `libs/${sdk}/README.md`), join(out, 'README.md'));
const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: out, encoding: 'utf8' }).trim().split('\n').at(-1);
console.log(join(out, tarball));
