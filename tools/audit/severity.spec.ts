import { describe, expect, it } from 'vitest';
import { isBlocking, isSeverity, SEVERITIES } from './severity';

describe('severity threshold', () => {
  it('blocks high and critical only', () => {
    expect(SEVERITIES.filter(isBlocking)).toEqual(['high', 'critical']);
  });

  it('knows npm\'s five words and nothing else', () => {
    expect(['info', 'low', 'moderate', 'high', 'critical'].every(isSeverity)).toBe(true);
    expect(['medium', 'HIGH', '', undefined, 7].some(isSeverity)).toBe(false);
  });
});
