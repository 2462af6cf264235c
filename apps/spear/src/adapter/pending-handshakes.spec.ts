import { describe, expect, it } from 'vitest';
import { PendingHandshakes } from './pending-handshakes';

const limits = { timeoutMs: 1000, maxPending: 4, maxPendingPerIp: 2 };

describe('PendingHandshakes', () => {
  it('caps pending connections per address, then per node', () => {
    const pending = new PendingHandshakes<string>(limits);
    pending.add('a1', '10.0.0.1', 0);
    expect(pending.refusal('10.0.0.1')).toBeUndefined();
    pending.add('a2', '10.0.0.1', 0);
    expect(pending.refusal('10.0.0.1')).toBe('pending_ip');
    expect(pending.refusal('10.0.0.2')).toBeUndefined();
    pending.add('b1', '10.0.0.2', 0);
    pending.add('c1', '10.0.0.3', 0);
    expect(pending.size).toBe(4);
    expect(pending.refusal('10.0.0.4')).toBe('pending_node');
  });

  it('frees a slot when a connection spends its ticket or closes, once', () => {
    const pending = new PendingHandshakes<string>(limits);
    pending.add('a1', '10.0.0.1', 0);
    pending.add('a2', '10.0.0.1', 0);
    expect(pending.remove('a1')).toBe(true);
    expect(pending.remove('a1')).toBe(false);
    expect(pending.countOf('10.0.0.1')).toBe(1);
    expect(pending.refusal('10.0.0.1')).toBeUndefined();
    pending.remove('a2');
    expect(pending.countOf('10.0.0.1')).toBe(0);
    expect(pending.size).toBe(0);
    // Adding the same connection twice counts it once.
    pending.add('a3', '10.0.0.1', 0);
    pending.add('a3', '10.0.0.1', 0);
    expect(pending.countOf('10.0.0.1')).toBe(1);
  });

  it('hands back each connection pending for the timeout or longer, oldest first, once', () => {
    const pending = new PendingHandshakes<string>(limits);
    pending.add('old', '10.0.0.1', 0);
    pending.add('spent', '10.0.0.2', 100);
    pending.add('mid', '10.0.0.2', 200);
    pending.add('young', '10.0.0.3', 900);
    pending.remove('spent');
    expect(pending.takeExpired(999)).toEqual([]);
    expect(pending.takeExpired(1200)).toEqual(['old', 'mid']);
    expect(pending.takeExpired(1200)).toEqual([]);
    expect(pending.size).toBe(1);
    expect(pending.countOf('10.0.0.2')).toBe(0);
    expect(pending.takeExpired(1900)).toEqual(['young']);
  });
});
