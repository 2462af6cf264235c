import { HttpException } from '@nestjs/common';
import { ERRORS, errorBody, type ErrorCode } from '@spear/protocol';
import type { z } from 'zod';

/** An HTTP error carrying the protocol's code; ErrorBodyFilter sends its body as is. */
export function apiError(code: ErrorCode, message?: string): HttpException {
  return new HttpException(errorBody(code, message), ERRORS[code].status);
}

/** Parses a request body (or param) with a protocol schema; failures become 400 bad_request naming the field. */
export function parseOr400<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'body';
  throw apiError('bad_request', `${field}: ${issue.message}`);
}
