// Bundles one Nest app into dist/apps/<app>/main.js: one file that runs with Node alone.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const app = process.argv[2];
if (!app) {
  console.error('usage: node tools/build/bundle-app.mjs <app>');
  process.exit(2);
}

// Packages Nest or its dependencies require only when a feature asks for them;
// we use none of them, and a failed optional require is handled where it is made.
const optional = [
  'class-validator',
  'class-transformer',
  '@nestjs/websockets',
  '@nestjs/websockets/socket-module',
  '@fastify/view',
  '@nestjs/platform-express',
  'bufferutil',
  'utf-8-validate',
  'pino-pretty',
  'kerberos',
  'mqtt',
  'nats',
  'amqplib',
  'amqp-connection-manager',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
];

// `debug` resolves to a no-op unless DEBUG is set when the process starts (see quiet-debug.cjs).
const quietDebug = join(root, 'tools/build/quiet-debug.cjs');
const quietDebugPlugin = {
  name: 'quiet-debug',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, (args) => (args.importer === quietDebug ? undefined : { path: quietDebug }));
  },
};

const started = Date.now();
await build({
  entryPoints: [join(root, 'apps', app, 'src/main.ts')],
  outfile: join(root, 'dist/apps', app, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  sourcemap: true,
  keepNames: false,
  tsconfig: join(root, 'tsconfig.base.json'),
  external: optional,
  // ES modules in the bundle that use import.meta.url (@platformatic/kafka's createRequire calls)
  // get the bundle's own URL: a CommonJS file has no import.meta.
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: [join(root, 'tools/build/import-meta-url.mjs')],
  // @platformatic/kafka's WebAssembly helpers read their .wasm file next to their module; the
  // package's `bundled` entry carries the same module inline.
  alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
  logLevel: 'warning',
  legalComments: 'none',
  plugins: [quietDebugPlugin],
});
console.log(`bundled ${app} -> dist/apps/${app}/main.js in ${Date.now() - started} ms`);
