import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { apiError, parseOr400 } from './api-error';

describe('apiError / parseOr400', () => {
  it('carries the catalog status and the protocol body', () => {
    const error = apiError('no_nodes');
    expect(error.getStatus()).toBe(503);
    expect(error.getResponse()).toEqual({ error: { code: 'no_nodes', message: 'no spear node is live' } });
  });

  it('turns a schema failure into bad_request naming the field', () => {
    const schema = z.object({ uid: z.string().min(1) });
    expect(parseOr400(schema, { uid: 'a' })).toEqual({ uid: 'a' });
    try {
      parseOr400(schema, { uid: '' });
      expect.unreachable();
    } catch (error) {
      const body = (error as ReturnType<typeof apiError>).getResponse() as { error: { code: string; message: string } };
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).toMatch(/^uid: /);
    }
  });
});
