/**
 * The parent side of bench/spear/load-worker.ts: one forked child per
 * Worker, one request and one answer at a time (see IpcChild).
 */
import { join } from 'node:path';
import { IpcChild } from '../support/ipc-child';
import type { FromWorker, ToWorker } from './load-protocol';

export type Worker = IpcChild<ToWorker, FromWorker>;

export const Worker = {
  start: (): Promise<Worker> => IpcChild.start<ToWorker, FromWorker>(join(__dirname, 'load-worker.ts'), 'load worker'),
};
