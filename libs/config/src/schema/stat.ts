import { z } from 'zod';
import { httpListener } from './primitives';

export const statSchema = z.strictObject({ http: httpListener });
export type StatConfig = z.infer<typeof statSchema>;
