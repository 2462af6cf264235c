import { describe, expect, it } from 'vitest';
import { ZK_LAYOUT, zkPaths } from './zk-paths';

describe('zkPaths', () => {
  it('names the layout the services have always used (relative to the profile root)', () => {
    expect(zkPaths.services).toBe('/services');
    expect(zkPaths.instance('ticket', '127.0.0.1:8090')).toBe('/services/ticket/instances/127.0.0.1:8090');
    expect(zkPaths.instances('stat')).toBe('/services/stat/instances');
    expect(zkPaths.provider('idgen', '127.0.0.1:9110')).toBe('/services/idgen/providers/127.0.0.1:9110');
    expect(zkPaths.providers('idgen')).toBe('/services/idgen/providers');
    expect(zkPaths.spearNode('spear-1')).toBe('/nodes/spear/spear-1');
    expect(zkPaths.spearNode('spear-1').startsWith(`${zkPaths.spearNodes}/`)).toBe(true);
    expect(zkPaths.drainingNode('spear-1')).toBe('/nodes/draining/spear-1');
    expect(zkPaths.drainingNode('spear-1').startsWith(`${zkPaths.draining}/`)).toBe(true);
    expect(zkPaths.idgenWorkers).toBe('/idgen/workers');
    expect(zkPaths.idgenLeader).toBe('/idgen/leader');
    expect(zkPaths.purgeLock('spear-2')).toBe('/locks/purge-spear-2');
    expect(zkPaths.lock('purge-spear-2')).toBe(zkPaths.purgeLock('spear-2'));
  });

  it('refuses a name that is not one path segment', () => {
    expect(() => zkPaths.spearNode('a/b')).toThrow(RangeError);
    expect(() => zkPaths.instances('')).toThrow(RangeError);
    expect(() => zkPaths.purgeLock('../x')).toThrow(RangeError);
  });

  it('documents every family with an absolute path under the root', () => {
    for (const info of ZK_LAYOUT) expect(info.path).toMatch(/^\/[a-z]/);
    expect(new Set(ZK_LAYOUT.map((i) => i.path)).size).toBe(ZK_LAYOUT.length);
  });
});
