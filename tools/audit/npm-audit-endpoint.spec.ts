/**
 * The real npm CLI against a local advisory endpoint on 127.0.0.1. The registry's endpoint cannot be
 * reached from this machine (it answers POST with 405), so this local one serves npm's bulk advisory
 * protocol instead: it proves our reading of the report npm really prints, not of one we imagined,
 * and that a slow or refusing endpoint ends as "unreachable" within the time limit.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runNpmAudit } from './run-npm-audit';
import { finding } from './test-data';

const MINIMIST_ADVISORY = {
  id: 1097678,
  url: 'https://github.com/advisories/GHSA-xvch-5gv4-984h',
  title: 'Prototype Pollution in minimist',
  severity: 'critical',
  vulnerable_versions: '<1.2.6',
  cwe: ['CWE-1321'],
  cvss: { score: 9.8, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
};
const MS_ADVISORY = {
  id: 1094419,
  url: 'https://github.com/advisories/GHSA-w9mr-4mfr-499f',
  title: 'Vercel ms Inefficient Regular Expression Complexity vulnerability',
  severity: 'moderate',
  vulnerable_versions: '<2.0.0',
  cwe: ['CWE-1333'],
  cvss: { score: 5.3, vectorString: null },
};

/** Versions of each package the endpoint knows, with their dependencies (npm reads them to find fixes). */
const PACKUMENTS: Record<string, Record<string, Record<string, string>>> = {
  minimist: { '1.2.5': {}, '1.2.6': {} },
  ms: { '1.0.0': {}, '2.0.0': {} },
  mkdirp: { '0.5.5': { minimist: '1.2.5' }, '0.5.6': { minimist: '^1.2.6' } },
};

function packument(name: string) {
  const versions = PACKUMENTS[name]!;
  return {
    name,
    'dist-tags': { latest: Object.keys(versions).at(-1) },
    versions: Object.fromEntries(
      Object.entries(versions).map(([v, dependencies]) => [v, { name, version: v, dependencies, dist: { tarball: `http://127.0.0.1/${name}-${v}.tgz` } }]),
    ),
  };
}

let scratch: string;
let server: Server | undefined;
let bulkBodies: Record<string, string[]>[];

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'spear-audit-'));
  bulkBodies = [];
  // A workspace as package.json and a v3 lockfile: minimist is vulnerable itself, and mkdirp only
  // through its pin on it (npm lists mkdirp with a via that names minimist, not an advisory).
  const dependencies = { mkdirp: '0.5.5', ms: '1.0.0' };
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'fixture', version: '1.0.0', dependencies }));
  writeFileSync(
    join(scratch, 'package-lock.json'),
    JSON.stringify({
      name: 'fixture',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'fixture', version: '1.0.0', dependencies },
        'node_modules/minimist': { version: '1.2.5' },
        'node_modules/mkdirp': { version: '0.5.5', dependencies: { minimist: '1.2.5' } },
        'node_modules/ms': { version: '1.0.0' },
      },
    }),
  );
});

afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server?.closeAllConnections();
  server = undefined;
  rmSync(scratch, { recursive: true, force: true });
});

async function endpoint(handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
}

/** Answers nothing and keeps the request open: the slow registry CI must not hang on. */
function holdOpen(): void {
  return undefined;
}

function audit(registry: string, timeoutMs = 30_000) {
  // A cache of its own: the local packuments must not mix with the real registry's.
  return runNpmAudit({ cwd: scratch, timeoutMs, registry, env: { ...process.env, npm_config_cache: join(scratch, '.npm-cache') } });
}

describe('npm audit against an advisory endpoint', () => {
  it('sends the lockfile and reads every advisory of the report npm prints', async () => {
    const registry = await endpoint((req, res, body) => {
      if (req.method === 'POST' && req.url === '/-/npm/v1/security/advisories/bulk') {
        const json = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
        bulkBodies.push(JSON.parse(json.toString('utf8')));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ minimist: [MINIMIST_ADVISORY], ms: [MS_ADVISORY] }));
      } else if (req.method === 'GET' && req.url!.slice(1) in PACKUMENTS) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(packument(req.url!.slice(1))));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });

    const outcome = await audit(registry);

    expect(bulkBodies).toEqual([{ minimist: ['1.2.5'], mkdirp: ['0.5.5'], ms: ['1.0.0'] }]);
    expect(outcome).toEqual({
      kind: 'report',
      findings: [
        finding(),
        finding({
          id: 'GHSA-w9mr-4mfr-499f',
          aliases: ['GHSA-w9mr-4mfr-499f', 'npm:1094419'],
          package: 'ms',
          severity: 'moderate',
          title: 'Vercel ms Inefficient Regular Expression Complexity vulnerability',
          url: 'https://github.com/advisories/GHSA-w9mr-4mfr-499f',
          range: '<2.0.0',
          locations: ['node_modules/ms'],
        }),
      ],
    });
  }, 60_000);

  it('reads an endpoint that finds nothing as a clean report', async () => {
    const registry = await endpoint((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    expect(await audit(registry)).toEqual({ kind: 'report', findings: [] });
  }, 60_000);

  it('reads a refusal (405, as the registry answers here) as unreachable, never as a clean report', async () => {
    const registry = await endpoint((_req, res) => {
      res.statusCode = 405;
      res.setHeader('allow', 'GET,HEAD');
      res.end();
    });
    const outcome = await audit(registry);
    expect(outcome.kind).toBe('unreachable');
    expect(outcome.kind === 'unreachable' && outcome.reason).toMatch(/405 Method Not Allowed.*\(HTTP 405\)/);
  }, 60_000);

  it('gives up on an endpoint that never answers: npm\'s own fetch timeout ends it within the limit', async () => {
    const registry = await endpoint(holdOpen);
    const started = Date.now();
    const outcome = await audit(registry, 6_000);
    expect(outcome.kind).toBe('unreachable');
    expect(Date.now() - started).toBeLessThan(6_000 + 3_000);
  }, 60_000);

  it('kills npm at the time limit when npm would wait longer', async () => {
    const registry = await endpoint(holdOpen);
    const started = Date.now();
    // 1 s: npm's start alone plus its shortest fetch timeout (1 s) outlast it.
    const outcome = await audit(registry, 1_000);
    expect(outcome).toEqual({ kind: 'unreachable', reason: 'npm audit did not finish within 1000 ms (killed)' });
    expect(Date.now() - started).toBeLessThan(1_000 + 3_000);
  }, 60_000);
});
