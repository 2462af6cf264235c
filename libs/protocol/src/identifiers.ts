import { z } from 'zod';

/** A uid or group: 1-128 characters of [A-Za-z0-9_.:@-] (PROTOCOL.md). */
export const IDENTIFIER = /^[A-Za-z0-9_.:@-]{1,128}$/;

export const uidSchema = z.string().regex(IDENTIFIER, 'must be 1-128 characters of [A-Za-z0-9_.:@-]');
export const groupSchema = uidSchema;

/** A device (v1.1): 1-64 characters of [A-Za-z0-9_.:@-], chosen by the client. */
export const DEVICE = /^[A-Za-z0-9_.:@-]{1,64}$/;
export const deviceSchema = z.string().regex(DEVICE, 'must be 1-64 characters of [A-Za-z0-9_.:@-]');
/** The device of a connection that names none. */
export const DEFAULT_DEVICE = 'default';
