import { describe, expect, it } from 'vitest';
import { DecimalCounter } from './decimal-counter';

// A small deterministic PRNG so failures reproduce.
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

describe('DecimalCounter', () => {
  it('puts ms and worker id where BigInt shifts put them', () => {
    const random = rng(7);
    const cases: [number, number][] = [
      [0, 0],
      [0, 1023],
      [1, 0],
      [999_999, 1023],
      [1_000_000, 0],
      [2 ** 41 - 1, 1023],
      [2 ** 41 - 1, 0],
    ];
    for (let i = 0; i < 2000; i++) cases.push([Math.floor(random() * 2 ** 41), Math.floor(random() * 1024)]);
    const counter = new DecimalCounter();
    for (const [ts, worker] of cases) {
      counter.setMs(ts, worker);
      expect(counter.current(), `${ts}/${worker}`).toBe(String((BigInt(ts) << 22n) | (BigInt(worker) << 12n)));
    }
  });

  it('counts across digit-count changes and 1e9 carries like BigInt does', () => {
    const starts = ['0', '8', '999999990', '1999999990', '1000000000', '1000000009', '123000000099', '18446744073709551000'];
    const counter = new DecimalCounter();
    for (const start of starts) {
      counter.setDecimal(start);
      for (let i = 0; i < 30; i++) expect(counter.take()).toBe(String(BigInt(start) + BigInt(i)));
    }
  });

  it('adds in steps, carrying into the high part', () => {
    const counter = new DecimalCounter();
    counter.setDecimal('5999999000');
    counter.add(4095);
    expect(counter.current()).toBe(String(5999999000n + 4095n));
    counter.add(2_500_000_000);
    expect(counter.current()).toBe(String(5999999000n + 4095n + 2_500_000_000n));
    counter.setDecimal('99');
    counter.add(Number.MAX_SAFE_INTEGER);
    expect(counter.current()).toBe(String(99n + BigInt(Number.MAX_SAFE_INTEGER)));
    counter.setDecimal('0');
    counter.add(0);
    expect(counter.current()).toBe('0');
  });

  it('matches BigInt over random starts, steps and lengths', () => {
    const random = rng(11);
    const counter = new DecimalCounter();
    for (let i = 0; i < 300; i++) {
      let value = BigInt(Math.floor(random() * 2 ** 32)) * BigInt(Math.floor(random() * 2 ** 32)) >> BigInt(Math.floor(random() * 60));
      counter.setDecimal(String(value));
      for (let j = 0; j < 20; j++) {
        const step = Math.floor(random() * (random() < 0.5 ? 10 : 5000));
        counter.add(step);
        value += BigInt(step);
        expect(counter.take()).toBe(String(value));
        value += 1n;
      }
    }
  });
});
