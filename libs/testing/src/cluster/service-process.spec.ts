import { afterEach, describe, expect, it } from 'vitest';
import { serviceNodeFlags } from './service-process';

describe('serviceNodeFlags', () => {
  const before = process.env.SPEAR_SOURCE_MAPS;
  afterEach(() => {
    if (before === undefined) delete process.env.SPEAR_SOURCE_MAPS;
    else process.env.SPEAR_SOURCE_MAPS = before;
  });

  it("runs every service without V8's memory reducer, with source maps only when asked", () => {
    delete process.env.SPEAR_SOURCE_MAPS;
    expect(serviceNodeFlags()).toEqual(['--no-memory-reducer']);
    process.env.SPEAR_SOURCE_MAPS = '1';
    expect(serviceNodeFlags()).toEqual(['--no-memory-reducer', '--enable-source-maps']);
  });
});
