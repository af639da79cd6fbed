import { Controller } from '@nestjs/common';
import { InventoryV1, RequestOf } from '@app/contracts';
import { Rpc } from '@app/transport';
import { StockStore } from './stock.store';

const M = InventoryV1.methods;

/** inventory.v1 handlers: thin, the store does the work. */
@Controller()
export class InventoryController {
  constructor(private readonly stock: StockStore) {}

  @Rpc(M.reserve)
  reserve(request: RequestOf<typeof M.reserve>) {
    return this.stock.reserve(request.orderId, request.items);
  }

  @Rpc(M.release)
  release(request: RequestOf<typeof M.release>) {
    return { orderId: request.orderId, released: this.stock.release(request.orderId) };
  }

  @Rpc(M.getStock)
  getStock(request: RequestOf<typeof M.getStock>) {
    return this.stock.level(request.sku);
  }

  @Rpc(M.listStock)
  listStock() {
    return { items: this.stock.list() };
  }
}
