import { Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { RpcError, StatusCode, validationIssues } from '@app/transport';
import { z } from 'zod';
import { DeadLetterStatus, MAX_DEAD_LETTER_PAGE } from '../dead-letter';
import { DEFAULT_DEAD_LETTER_PAGE, DeadLetterService } from '../dead-letter.service';
import { AdminTokenGuard } from './admin-token.guard';
import { DeadLetterListView, DeadLetterReplayView, DeadLetterView, deadLetterView, summaryView } from './dead-letter-view';

const ListQuery = z
  .object({
    type: z.string().min(1).max(200).optional(),
    status: z.enum(['dead', 'replaying', 'replayed'] satisfies DeadLetterStatus[]).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_DEAD_LETTER_PAGE).default(DEFAULT_DEAD_LETTER_PAGE),
    cursor: z.string().max(40).optional(),
  })
  .strict();

/**
 * This service's dead letters over HTTP, for operators (ADMIN_TOKEN bearer): list (`?type=&status=&limit=&cursor=`,
 * newest first), inspect, replay (200 with `outcome` handled | failed; 409 when already replayed or replaying; 422
 * for a letter refused by service auth), discard (204). Errors are `{statusCode, error, message}`.
 */
@Controller('admin/dead-letters')
@UseGuards(AdminTokenGuard)
export class DeadLetterAdminController {
  constructor(private readonly deadLetters: DeadLetterService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>): Promise<DeadLetterListView> {
    const parsed = ListQuery.safeParse(query);
    if (!parsed.success) {
      const issues = validationIssues(parsed.error);
      const message = `invalid query: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`;
      throw new RpcError(StatusCode.INVALID_ARGUMENT, message, { issues });
    }
    const page = await this.deadLetters.list(parsed.data);
    const { group, storage } = this.deadLetters;
    return { group, storage, items: page.items.map(summaryView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<DeadLetterView> {
    return deadLetterView(await this.deadLetters.get(id));
  }

  @Post(':id/replay')
  @HttpCode(200)
  async replay(@Param('id') id: string): Promise<DeadLetterReplayView> {
    const result = await this.deadLetters.replay(id);
    return { outcome: result.outcome, deadLetter: deadLetterView(result.deadLetter) };
  }

  @Delete(':id')
  @HttpCode(204)
  async discard(@Param('id') id: string): Promise<void> {
    await this.deadLetters.discard(id);
  }
}
