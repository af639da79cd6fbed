import './tracing';
import { runMain } from '@app/transport';
import { startInventory } from './start-inventory';

runMain('inventory', startInventory);
