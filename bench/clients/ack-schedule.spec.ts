import { describe, expect, it } from 'vitest';
import { AckSchedule } from './ack-schedule';

describe('AckSchedule', () => {
  it('makes a receiver due delayMs after its first pending message, not after later ones', () => {
    const s = new AckSchedule<string>(1000);
    s.pending('a', 0);
    s.pending('a', 900);
    expect(s.takeDue(999)).toEqual([]);
    expect(s.takeDue(1000)).toEqual(['a']);
    expect(s.takeDue(5000)).toEqual([]);
  });

  it('returns due receivers oldest first and keeps the rest', () => {
    const s = new AckSchedule<string>(100);
    s.pending('a', 0);
    s.pending('b', 10);
    s.pending('c', 50);
    expect(s.takeDue(115)).toEqual(['a', 'b']);
    expect(s.takeDue(149)).toEqual([]);
    expect(s.takeDue(150)).toEqual(['c']);
  });

  it('starts a new delay after an early ack', () => {
    const s = new AckSchedule<string>(100);
    s.pending('a', 0);
    s.acked('a');
    s.pending('a', 80);
    expect(s.takeDue(100)).toEqual([]);
    expect(s.takeDue(180)).toEqual(['a']);
  });

  it('with no delay, a pending receiver is due at once', () => {
    const s = new AckSchedule<string>(0);
    s.pending('a', 5);
    expect(s.takeDue(5)).toEqual(['a']);
  });

  it('takeAll empties the schedule, due or not', () => {
    const s = new AckSchedule<string>(1000);
    s.pending('a', 0);
    s.pending('b', 1);
    expect(s.takeAll()).toEqual(['a', 'b']);
    expect(s.takeDue(10_000)).toEqual([]);
  });
});
