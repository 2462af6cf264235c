import { HttpException } from '@nestjs/common';

/**
 * An error of the dashboard's own (a code the protocol's catalog does not
 * have, such as `engine_down` or `cross_origin`), in the protocol's body
 * shape `{error: {code, message}}`, which the error filter sends as is.
 */
export function dashboardError(status: number, code: string, message: string): HttpException {
  return new HttpException({ error: { code, message } }, status);
}
