import { Module } from '@nestjs/common';
import { SwitchboardModule } from '@app/transport';
import { InventoryController } from './inventory.controller';
import { StockStore } from './stock.store';

@Module({
  imports: [SwitchboardModule.forService({ service: 'inventory' })],
  controllers: [InventoryController],
  providers: [StockStore],
})
export class InventoryModule {}
