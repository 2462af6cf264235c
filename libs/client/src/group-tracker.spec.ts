import { describe, expect, it } from 'vitest';
import { GroupTracker } from './group-tracker';
import { compareIds } from './ids';

describe('compareIds', () => {
  it('orders decimal ids numerically, not as strings', () => {
    expect(compareIds('9', '10')).toBe(-1);
    expect(compareIds('10', '9')).toBe(1);
    expect(compareIds('123', '123')).toBe(0);
    expect(compareIds('7205759403792793600', '7205759403792793599')).toBe(1);
  });
});

describe('GroupTracker', () => {
  it('rejoins every joined group from the newest id seen, never moving back', () => {
    const g = new GroupTracker();
    g.joined('a');
    g.joined('b', '100');
    g.seen('a', '5');
    g.seen('a', '12');
    g.seen('a', '9'); // a late duplicate
    g.seen('b', '99');
    g.seen('c', '1'); // not joined: ignored
    expect(g.rejoins()).toEqual([{ group: 'a', since: '12' }, { group: 'b', since: '100' }]);
    expect(g.has('c')).toBe(false);
  });

  it('forgets a left group, and restart() drops the mark', () => {
    const g = new GroupTracker();
    g.joined('a', '3');
    g.joined('b', '4');
    g.left('a');
    g.restart('b');
    expect(g.rejoins()).toEqual([{ group: 'b' }]);
    expect(g.rejoin('a')).toBeUndefined();
  });
});
