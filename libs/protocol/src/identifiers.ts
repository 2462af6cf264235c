import { z } from 'zod';

/** A uid or group: 1-128 characters of [A-Za-z0-9_.:@-] (PROTOCOL.md). */
export const IDENTIFIER = /^[A-Za-z0-9_.:@-]{1,128}$/;

export const uidSchema = z.string().regex(IDENTIFIER, 'must be 1-128 characters of [A-Za-z0-9_.:@-]');
export const groupSchema = uidSchema;
