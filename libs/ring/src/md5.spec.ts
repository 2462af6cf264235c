import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5Words } from './md5';

function hex(input: string): string {
  const out = new Uint32Array(4);
  md5Words(input, out);
  return Buffer.from(out.buffer).toString('hex');
}

describe('md5Words', () => {
  it('matches node:crypto across block boundaries and UTF-8', () => {
    const inputs = ['', 'a', 'abc', 'node-1-0', 'é☃😀x', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(63), 'x'.repeat(64), 'y'.repeat(300), 'é'.repeat(100)];
    for (let i = 0; i < 500; i++) inputs.push(`user:${i * 7919}@app`, String.fromCharCode(...Array.from({ length: i % 90 }, (_, j) => 32 + ((i * 31 + j * 17) % 2000))));
    for (const input of inputs) expect(hex(input), JSON.stringify(input)).toBe(hash('md5', input, 'hex'));
  });

  it('is unaffected by a longer input hashed before it', () => {
    hex('z'.repeat(1000));
    expect(hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
  });
});
