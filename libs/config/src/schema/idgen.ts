import { z } from 'zod';
import { httpListener } from './common';

export const idgenSchema = z.strictObject({ http: httpListener });
export type IdgenConfig = z.infer<typeof idgenSchema>;
