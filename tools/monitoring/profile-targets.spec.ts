import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSdGroups, profileTargets, targetDifferences } from './profile-targets';

const WORKSPACE_ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'spear-targets-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function profile(name: string, doc: object): string {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'profile.json'), JSON.stringify(doc));
  return join(dir, name);
}

describe('profileTargets', () => {
  it("lists every process's HTTP listener per job, following extends (the checked-in local profile)", () => {
    const { targets } = profileTargets({ profile: 'local-kafka', cwd: WORKSPACE_ROOT, env: {} });
    expect(Object.fromEntries(targets)).toEqual({
      ticket: ['127.0.0.1:8090'],
      spear: ['127.0.0.1:8101', '127.0.0.1:8102'],
      idgen: ['127.0.0.1:8110'],
      stat: ['127.0.0.1:8120'],
      minions: ['127.0.0.1:40000'],
    });
  });

  it('names the field a profile lacks instead of guessing a port', () => {
    const path = profile('no-stat', { name: 'x', ticket: { http: { host: 'h', port: 1 } }, spear: { nodes: [{ id: 'a', host: 'h', port: 2 }] }, idgen: { http: { host: 'h', port: 3 } }, minions: { http: { host: 'h', port: 4 } } });
    expect(() => profileTargets({ profile: path, env: {} })).toThrow('stat.http needs a host and a port from 1 to 65535 to be scraped');
    const nodeless = profile('no-nodes', { name: 'y', spear: { nodes: [] } });
    expect(() => profileTargets({ profile: nodeless, env: {} })).toThrow('spear.nodes lists no node to scrape');
  });
});

describe('targetDifferences', () => {
  const expected = new Map([
    ['ticket', ['h:1']],
    ['spear', ['h:2', 'h:3']],
  ] as const) as Map<'ticket' | 'spear', string[]>;

  it('agrees when every job scrapes exactly the listeners', () => {
    expect(targetDifferences(new Map([['ticket', ['h:1']], ['spear', ['h:2', 'h:3']]]), expected)).toEqual([]);
  });

  it('names a missing job, a moved or missing node and a job of no app', () => {
    expect(targetDifferences(new Map([['spear', ['h:2']], ['chat', ['h:9']]]), expected)).toEqual([
      'job ticket is missing (the profile has h:1)',
      'job spear scrapes h:2; the profile has h:2, h:3',
      'job chat is not an app of the profile',
    ]);
  });

  it('writes file_sd groups labelled with their job', () => {
    expect(fileSdGroups(expected)).toEqual([
      { targets: ['h:1'], labels: { job: 'ticket' } },
      { targets: ['h:2', 'h:3'], labels: { job: 'spear' } },
    ]);
  });
});
