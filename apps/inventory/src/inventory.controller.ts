import { Controller } from '@nestjs/common';
import { RequireScopes } from '@app/auth';
import { InventoryV1, RequestOf } from '@app/contracts';
import { crashPoint, Rpc } from '@app/transport';
import { StockStore } from './stock.store';

const M = InventoryV1.methods;

/** inventory.v1 handlers: thin, the store does the work. */
@Controller()
export class InventoryController {
  constructor(private readonly stock: StockStore) {}

  @Rpc(M.reserve)
  @RequireScopes('inventory:reserve')
  reserve(request: RequestOf<typeof M.reserve>) {
    const reservation = this.stock.reserve(request.orderId, request.items);
    crashPoint('inventory.after-reserve');
    return reservation;
  }

  @Rpc(M.release)
  @RequireScopes('inventory:release')
  release(request: RequestOf<typeof M.release>) {
    return { orderId: request.orderId, released: this.stock.release(request.orderId) };
  }

  @Rpc(M.listReservations)
  @RequireScopes('inventory:read')
  listReservations(request: RequestOf<typeof M.listReservations>) {
    return { items: this.stock.reservations(request.orderIds) };
  }

  @Rpc(M.getStock)
  @RequireScopes('inventory:read')
  getStock(request: RequestOf<typeof M.getStock>) {
    return this.stock.level(request.sku);
  }

  @Rpc(M.listStock)
  @RequireScopes('inventory:read')
  listStock() {
    return { items: this.stock.list() };
  }
}
