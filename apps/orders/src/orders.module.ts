import { Module } from '@nestjs/common';
import { EVENT_TOKEN_STAMP, SERVICE_TOKEN_INTERCEPTORS, ServiceAuthModule } from '@app/auth';
import { InventoryV1, PaymentsV1 } from '@app/contracts';
import { DeadLetterAdminModule, MessagingModule, OutboxModule } from '@app/messaging';
import { Resilience } from '@app/resilience';
import { SqliteModule } from '@app/storage';
import { SwitchboardModule } from '@app/transport';
import { OrderProcessor } from './order-processor';
import { OrderRepository } from './order.repository';
import { OrdersController } from './orders.controller';
import { OrdersV2Controller } from './orders-v2.controller';
import { ORDERS_MIGRATIONS } from './orders.migrations';
import { PlaceOrderService } from './place-order.service';

@Module({
  imports: [
    ServiceAuthModule.forService({ service: 'orders' }),
    SwitchboardModule.forService({
      service: 'orders',
      clients: [InventoryV1, PaymentsV1],
      interceptors: [new Resilience().interceptors, SERVICE_TOKEN_INTERCEPTORS],
    }),
    MessagingModule.forService({ stamps: [EVENT_TOKEN_STAMP] }),
    DeadLetterAdminModule.forService(),
    SqliteModule.forService({ service: 'orders', migrations: ORDERS_MIGRATIONS }),
    OutboxModule,
  ],
  controllers: [OrdersController, OrdersV2Controller, OrderProcessor],
  providers: [OrderRepository, PlaceOrderService],
})
export class OrdersModule {}
