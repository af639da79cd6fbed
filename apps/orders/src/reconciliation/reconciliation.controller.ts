import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '@app/messaging';
import { RpcError, StatusCode, validationIssues } from '@app/transport';
import { z } from 'zod';
import { ReconciliationReport, ReconciliationService } from './reconciliation.service';

const Query_ = z
  .object({
    since: z.string().datetime().optional(),
    graceMs: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  })
  .strict();

/**
 * `GET /admin/reconciliation[?since=<ISO time>&graceMs=<ms>]` (ADMIN_TOKEN bearer): the reconciliation report of
 * every order (or those created since a time). `ok` is true when nothing is missing, duplicated, unexpected or
 * stuck and inventory's reserved stock matches the orders.
 */
@Controller('admin/reconciliation')
@UseGuards(AdminTokenGuard)
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  reconcile(@Query() query: Record<string, unknown>): Promise<ReconciliationReport> {
    const parsed = Query_.safeParse(query);
    if (!parsed.success) {
      const issues = validationIssues(parsed.error);
      throw new RpcError(StatusCode.INVALID_ARGUMENT, `invalid query: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
    }
    return this.reconciliation.reconcile(parsed.data);
  }
}
