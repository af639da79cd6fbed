import { Inject } from '@nestjs/common';
import type { ServiceContract } from '@app/contracts';

export const TRANSPORT_CONFIG = Symbol('switchboard:transport-config');
export const TRANSPORT_DRIVER = Symbol('switchboard:transport-driver');
export const SERVICE_NAME = Symbol('switchboard:service-name');
/** Optional: where the point-to-point drivers learn each service's instances (an @app/discovery registry). */
export const ENDPOINT_SOURCE = Symbol('switchboard:endpoint-source');
/** Optional: what registers this instance once it serves, and withdraws it when it stops (an @app/discovery registry). */
export const INSTANCE_ANNOUNCER = Symbol('switchboard:instance-announcer');

/** The DI token of the typed client of a contract (`orders.v1` -> `switchboard:client:orders.v1`). */
export const clientToken = (contract: ServiceContract) => `switchboard:client:${contract.package}`;

/** Injects the typed client of a contract: `@InjectClient(InventoryV1) inventory: ServiceClient<typeof InventoryV1>`. */
export const InjectClient = (contract: ServiceContract) => Inject(clientToken(contract));
