import { Controller, Get, Param } from '@nestjs/common';
import { InventoryV1, Sku } from '@app/contracts';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { InjectClient, RpcError, ServiceClient, StatusCode } from '@app/transport';
import { ApiErrors } from '../docs/openapi';

const LEVEL = { sku: 'SKU-COFFEE', available: 48, reserved: 2 };

/** Public, read-only view of stock: `GET /v1/inventory` and `GET /v1/inventory/:sku`. */
@ApiTags('inventory v1')
@Controller('v1/inventory')
export class InventoryHttpController {
  constructor(@InjectClient(InventoryV1) private readonly inventory: ServiceClient<typeof InventoryV1>) {}

  @Get()
  @ApiOperation({ summary: 'Every SKU with its available and reserved stock (public)' })
  @ApiOkResponse({ schema: { example: { items: [LEVEL] } } })
  @ApiErrors(504)
  list() {
    return this.inventory.listStock({});
  }

  @Get(':sku')
  @ApiOperation({ summary: 'The stock of one SKU (public)' })
  @ApiParam({ name: 'sku', example: 'SKU-COFFEE' })
  @ApiOkResponse({ schema: { example: LEVEL } })
  @ApiErrors(400, 404, 504)
  get(@Param('sku') sku: string) {
    const parsed = Sku.safeParse(sku);
    if (!parsed.success) throw new RpcError(StatusCode.INVALID_ARGUMENT, `invalid sku: ${parsed.error.issues[0].message}`);
    return this.inventory.getStock({ sku: parsed.data });
  }
}
