import { InventoryV1 } from '@app/contracts';
import { httpPortFor, startService } from '@app/transport';
import { InventoryModule } from './inventory.module';

export const startInventory = () => startService(InventoryModule, { serves: [InventoryV1], httpPort: httpPortFor('inventory') });
