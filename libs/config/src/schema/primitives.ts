import { z } from 'zod';
import { DEFAULTS } from '../defaults';

/** 0 asks the OS for a free port (tests); anything else is fixed. */
export const port = z.number().int().min(0).max(65535);
export const host = z.string().min(1).default(DEFAULTS.host);
export const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port');

/** An HTTP listener of one service. */
export const httpListener = z.strictObject({ host, port });
