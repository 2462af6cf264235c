import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HashRing } from './hash-ring';
import { ketamaHash, ketamaPoints } from './ketama';

// Recorded from the hand-written MD5 the ring used before node:crypto, so a
// change of hash implementation that moved any key or point fails here:
// a moved point would send users to other nodes after an upgrade.
const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

describe('ketamaHash', () => {
  it('is the first 4 bytes of MD5 read little-endian (libketama)', () => {
    // MD5('') = d41d8cd9 8f00b204 ...
    expect(ketamaHash('')).toBe(0xd98c1dd4);
  });

  it('keeps its recorded values for ASCII, UTF-8 and multi-block keys', () => {
    const vectors: Array<[string, string]> = [
      ['a', '0xb975c10c'],
      ['uid-42', '0x8a048c95'],
      ['é☃😀x', '0xa91e983a'],
      ['x'.repeat(56), '0xd5728a66'],
      ['user:'.repeat(30), '0xe5c81cc1'],
    ];
    for (const [key, expected] of vectors) expect(hex(ketamaHash(key)), key).toBe(expected);
  });
});

describe('ketamaPoints', () => {
  it('yields the four words of each MD5(`${id}-${i}`) in order', () => {
    const points: string[] = [];
    ketamaPoints('spear-1', 8, (p) => points.push(hex(p)));
    expect(points).toEqual(['0xc86fa1f6', '0x954e330d', '0x27db0e0c', '0x7ba45d14', '0xd88dd15c', '0x192c8502', '0xe4adc216', '0x2b605641']);
    expect(hex(ketamaHash('spear-1-0'))).toBe(points[0]);
  });
});

describe('HashRing placement', () => {
  it('puts 10,000 uids on the same weighted nodes as recorded', () => {
    const ring = new HashRing([
      { id: 'spear-1', weight: 1 },
      { id: 'spear-2', weight: 2 },
      { id: 'spear-3', weight: 3 },
    ]);
    const owners = Array.from({ length: 10_000 }, (_, i) => ring.get(`uid-${i}`)!.id);
    expect(owners.slice(0, 12)).toEqual(['spear-2', 'spear-1', 'spear-2', 'spear-3', 'spear-2', 'spear-3', 'spear-3', 'spear-3', 'spear-2', 'spear-2', 'spear-2', 'spear-3']);
    // All 10,000 at once, as a digest of the owner list.
    expect(createHash('sha256').update(owners.join(',')).digest('hex')).toBe('c3e1ccc4795ee8ac03885c8136f3fe16539cef1d3e267845b9776117afb0e9fc');
  });
});
