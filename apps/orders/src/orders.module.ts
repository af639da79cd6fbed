import { Module } from '@nestjs/common';
import { EVENT_TOKEN_STAMP, SERVICE_TOKEN_INTERCEPTORS, ServiceAuthModule } from '@app/auth';
import { InventoryV1, NotificationsV1, PaymentsV1 } from '@app/contracts';
import { DeadLetterAdminModule, MessagingModule, OutboxModule } from '@app/messaging';
import { Resilience } from '@app/resilience';
import { SqliteModule } from '@app/storage';
import { DiscoveryModule } from '@app/discovery';
import { SwitchboardModule } from '@app/transport';
import { OrderRepository } from './order.repository';
import { OrdersController } from './orders.controller';
import { OrdersV2Controller } from './orders-v2.controller';
import { ORDERS_MIGRATIONS } from './orders.migrations';
import { PlaceOrderService } from './place-order.service';
import { ReconciliationController } from './reconciliation/reconciliation.controller';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { OrderPlacedConsumer } from './saga/order-placed.consumer';
import { PlaceOrderSaga } from './saga/place-order-saga';
import { loadSagaConfig, SAGA_CONFIG } from './saga/saga-config';
import { SagaAdminController } from './saga/saga-admin.controller';
import { SagaScheduler } from './saga/saga-scheduler';
import { SagaStore } from './saga/saga.store';

@Module({
  imports: [
    ServiceAuthModule.forService({ service: 'orders' }),
    DiscoveryModule.forRoot(),
    SwitchboardModule.forService({
      service: 'orders',
      clients: [InventoryV1, PaymentsV1, NotificationsV1],
      interceptors: [new Resilience().interceptors, SERVICE_TOKEN_INTERCEPTORS],
    }),
    MessagingModule.forService({ stamps: [EVENT_TOKEN_STAMP] }),
    DeadLetterAdminModule.forService(),
    SqliteModule.forService({ service: 'orders', migrations: ORDERS_MIGRATIONS }),
    OutboxModule,
  ],
  controllers: [OrdersController, OrdersV2Controller, OrderPlacedConsumer, ReconciliationController, SagaAdminController],
  providers: [
    OrderRepository,
    PlaceOrderService,
    SagaStore,
    PlaceOrderSaga,
    SagaScheduler,
    ReconciliationService,
    { provide: SAGA_CONFIG, useFactory: () => loadSagaConfig() },
  ],
})
export class OrdersModule {}
