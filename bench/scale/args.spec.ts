import { describe, expect, it } from 'vitest';
import { commandOf, parseScaleArgs } from './args';

describe('parseScaleArgs', () => {
  it('reads the flags and the engines in both spellings', () => {
    expect(parseScaleArgs([])).toEqual({ quick: false, updateDocs: false });
    expect(parseScaleArgs(['--quick', '--engines', 'single-redis'])).toEqual({ quick: true, updateDocs: false, engines: 'single-redis' });
    expect(parseScaleArgs(['--update-docs', '--engines=single-redis'])).toEqual({ quick: false, updateDocs: true, engines: 'single-redis' });
  });

  it('refuses unknown arguments and an --engines without a value', () => {
    expect(() => parseScaleArgs(['--fast'])).toThrow(/unknown argument --fast/);
    expect(() => parseScaleArgs(['--engines'])).toThrow(/--engines needs a value/);
    expect(() => parseScaleArgs(['--engines', '--quick'])).toThrow(/--engines needs a value/);
  });

  it('names the command that made a report', () => {
    expect(commandOf(parseScaleArgs([]))).toBe('npm run bench:scale');
    expect(commandOf(parseScaleArgs(['--update-docs']))).toBe('npm run bench:scale -- --update-docs');
  });
});
