import { Controller, Get, Param } from '@nestjs/common';
import { InventoryV1, Sku } from '@app/contracts';
import { InjectClient, RpcError, ServiceClient, StatusCode } from '@app/transport';

/** Public, read-only view of stock: `GET /v1/inventory` and `GET /v1/inventory/:sku`. */
@Controller('v1/inventory')
export class InventoryHttpController {
  constructor(@InjectClient(InventoryV1) private readonly inventory: ServiceClient<typeof InventoryV1>) {}

  @Get()
  list() {
    return this.inventory.listStock({});
  }

  @Get(':sku')
  get(@Param('sku') sku: string) {
    const parsed = Sku.safeParse(sku);
    if (!parsed.success) throw new RpcError(StatusCode.INVALID_ARGUMENT, `invalid sku: ${parsed.error.issues[0].message}`);
    return this.inventory.getStock({ sku: parsed.data });
  }
}
