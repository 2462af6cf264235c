import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { parseOr400 } from '@spear/runtime';
import { OperatorGuard } from '../auth/operator.guard';
import { AUDIT_ACTIONS, type AuditAction } from './audit-entry';
import { AuditLog, type AuditPage } from './audit-log';
import { auditQuerySchema } from './audit-query';

/** The audit log for operators: GET /api/audit with filters, newest first, paged. */
@UseGuards(OperatorGuard)
@Controller('api')
export class AuditController {
  constructor(@Inject(AuditLog) private readonly log: AuditLog) {}

  /** `?operator=&action=&target=&from=&to=&before=&limit=` (see auditQuerySchema); also lists the actions there are. */
  @Get('audit')
  async audit(@Query() query: unknown): Promise<AuditPage & { actions: readonly AuditAction[] }> {
    return { ...(await this.log.query(parseOr400(auditQuerySchema, query))), actions: AUDIT_ACTIONS };
  }
}
