import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '@app/messaging';
import { RpcError, StatusCode } from '@app/transport';
import { Saga, SagaStep, SagaStore } from './saga.store';

/** `GET /admin/sagas/:orderId` (ADMIN_TOKEN bearer): an order's saga and every step it took, for operators. */
@Controller('admin/sagas')
@UseGuards(AdminTokenGuard)
export class SagaAdminController {
  constructor(private readonly sagas: SagaStore) {}

  @Get(':orderId')
  get(@Param('orderId') orderId: string): { saga: Omit<Saga, 'context'>; steps: SagaStep[] } {
    const saga = orderId.length <= 128 ? this.sagas.get(orderId) : undefined;
    if (!saga) throw new RpcError(StatusCode.NOT_FOUND, `no saga for order ${orderId.slice(0, 128)}`);
    const { context: _, ...visible } = saga;
    return { saga: visible, steps: this.sagas.steps(orderId) };
  }
}
