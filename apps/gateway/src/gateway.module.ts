import { Module } from '@nestjs/common';
import { InventoryV1, NotificationsV1, OrdersV1, PaymentsV1 } from '@app/contracts';
import { SwitchboardModule } from '@app/transport';
import { InventoryHttpController } from './http/inventory.http-controller';

/** The HTTP edge: REST in front of the services, calling them over the configured transport. */
@Module({
  imports: [
    SwitchboardModule.forService({ service: 'gateway', clients: [OrdersV1, InventoryV1, PaymentsV1, NotificationsV1] }),
  ],
  controllers: [InventoryHttpController],
})
export class GatewayModule {}
