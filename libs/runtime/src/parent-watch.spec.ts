import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { watchParent } from './parent-watch';

describe('watchParent', () => {
  it('calls back once the watched process has died', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 200)']);
    const gone = new Promise<void>((resolve) => watchParent(resolve, { SPEAR_PARENT_PID: String(child.pid) }, 20));
    await gone;
    expect(child.exitCode ?? child.signalCode).not.toBeNull();
  });

  it('does nothing without SPEAR_PARENT_PID', () => {
    expect(() => watchParent(() => expect.unreachable(), {})).not.toThrow();
  });
});
