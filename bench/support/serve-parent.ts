/**
 * The child side of IpcChild (ipc-child.ts): tells the parent `{type: 'ready'}`,
 * answers each request with what `handle` resolves to (or `{type: 'error',
 * message}`), disconnects after answering `{type: 'stop'}`, and exits when the
 * parent goes away.
 */
export function serveParent<To extends { type: string }>(file: string, handle: (m: To) => Promise<object>): void {
  if (!process.send) throw new Error(`fork ${file} with an IPC channel`);
  const reply = (m: object) => process.send!(m);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: To) => {
    handle(m).then(
      (answer) => {
        reply(answer);
        if (m.type === 'stop') process.disconnect();
      },
      (error: unknown) => reply({ type: 'error', message: (error as Error).stack ?? String(error) }),
    );
  });
  reply({ type: 'ready' });
}
