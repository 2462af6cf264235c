import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ERRORS, ProtocolError, type ErrorCode } from '@spear/protocol';

/** The catalog's code for an HTTP error that came without one (Nest's router, fastify's body parser). */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

/**
 * Every HTTP error leaves as the protocol's `{error: {code, message}}`, whatever
 * threw it (a route, Nest's router, fastify's body parser); unknown errors are
 * logged and answered as 500 internal, never echoing internals to the client.
 */
@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, code, message } = this.describe(exception);
    void reply.code(status).send({ error: { code, message } });
  }

  private describe(exception: unknown): { status: number; code: string; message: string } {
    if (exception instanceof ProtocolError) return { status: ERRORS[exception.code].status, code: exception.code, message: exception.message };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse() as { error?: { code?: string; message?: string } };
      if (body && typeof body === 'object' && body.error?.code) return { status, code: body.error.code, message: body.error.message ?? '' };
      return { status, code: CODE_BY_STATUS[status] ?? (status < 500 ? 'bad_request' : 'internal'), message: exception.message };
    }
    const fastifyError = exception as { statusCode?: number; message?: string } | undefined;
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode < 500) {
      const status = fastifyError.statusCode;
      return { status, code: CODE_BY_STATUS[status] ?? 'bad_request', message: fastifyError.message ?? '' };
    }
    this.logger.error({ err: exception }, 'unhandled error');
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'internal', message: 'internal error' };
  }
}
