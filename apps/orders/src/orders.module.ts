import { Module } from '@nestjs/common';
import { InventoryV1, PaymentsV1 } from '@app/contracts';
import { SwitchboardModule } from '@app/transport';
import { OrderStore } from './order.store';
import { OrdersController } from './orders.controller';
import { PlaceOrderService } from './place-order.service';

@Module({
  imports: [SwitchboardModule.forService({ service: 'orders', clients: [InventoryV1, PaymentsV1] })],
  controllers: [OrdersController],
  providers: [OrderStore, PlaceOrderService],
})
export class OrdersModule {}
