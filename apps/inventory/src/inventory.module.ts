import { Module } from '@nestjs/common';
import { EVENT_TOKEN_STAMP, ServiceAuthModule } from '@app/auth';
import { MessagingModule, OutboxModule } from '@app/messaging';
import { SqliteModule } from '@app/storage';
import { DiscoveryModule } from '@app/discovery';
import { SwitchboardModule } from '@app/transport';
import { InventoryController } from './inventory.controller';
import { INVENTORY_MIGRATIONS } from './inventory.migrations';
import { StockStore } from './stock.store';

@Module({
  imports: [
    ServiceAuthModule.forService({ service: 'inventory' }),
    DiscoveryModule.forRoot(),
    SwitchboardModule.forService({ service: 'inventory' }),
    MessagingModule.forService({ stamps: [EVENT_TOKEN_STAMP] }),
    SqliteModule.forService({ service: 'inventory', migrations: INVENTORY_MIGRATIONS }),
    OutboxModule,
  ],
  controllers: [InventoryController],
  providers: [StockStore],
})
export class InventoryModule {}
