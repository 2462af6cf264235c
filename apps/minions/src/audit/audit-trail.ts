import { HttpException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { operatorOf } from '../auth/operator-request';
import { clientAddress } from '../http/request-facts';
import { outcomeOf, type AuditAction } from './audit-entry';
import { AuditLog } from './audit-log';

/** How one audited action went: the status the dashboard answers, and an optional note. */
export interface ActionResult {
  status: number;
  detail?: string;
}

/**
 * What the dashboard's routes call to audit what they do: who (the
 * request's operator), from where (its client address), what and to what,
 * and how it went. Recorded before the answer leaves, so a client that got
 * its answer finds the entry in GET /api/audit.
 */
export class AuditTrail {
  constructor(private readonly log: AuditLog) {}

  /**
   * Runs `work` as `action` on `target` by the request's operator and records
   * it: outcome from `resultOf(value)`, or from the error it throws (which is
   * rethrown as is).
   */
  async around<T>(request: FastifyRequest, action: AuditAction, target: string, work: () => Promise<T>, resultOf: (value: T) => ActionResult): Promise<T> {
    const operator = operatorOf(request);
    let value: T;
    try {
      value = await work();
    } catch (error) {
      await this.record(request, operator, action, target, failureOf(error));
      throw error;
    }
    await this.record(request, operator, action, target, resultOf(value));
    return value;
  }

  /** Records one action whose outcome is already known (logins, logouts). */
  record(request: FastifyRequest, operator: string, action: AuditAction, target: string, result: ActionResult): Promise<void> {
    return this.log.record({ operator, action, target, ip: clientAddress(request), outcome: outcomeOf(result.status), status: result.status, ...(result.detail ? { detail: result.detail } : {}) });
  }
}

/** The status and message of what a route threw (500 for anything but an HTTP error). */
export function failureOf(error: unknown): ActionResult {
  if (error instanceof HttpException) {
    const body = error.getResponse() as { error?: { message?: string } } | string;
    return { status: error.getStatus(), detail: typeof body === 'object' && body.error?.message ? body.error.message : error.message };
  }
  return { status: 500, detail: error instanceof Error ? error.message : String(error) };
}
