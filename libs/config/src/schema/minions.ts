import { z } from 'zod';
import { httpListener } from './primitives';

export const minionsSchema = z.strictObject({
  http: httpListener,
  /** Where the dashboard's server finds ticket (for the simulator); defaults to the profile's ticket listener. */
  ticketUrl: z.string().url().optional(),
});
export type MinionsConfig = z.infer<typeof minionsSchema>;
