import { Inject, Injectable, INestApplication, Optional } from '@nestjs/common';
import type { ServiceContract } from '@app/contracts';
import type { TransportDriver } from '../driver/transport-driver';
import { HandlerCompiler } from '../server/dispatch/handler-compiler';
import type { InstanceAnnouncer } from '../server/instance-announcer';
import { SwitchboardServer } from '../server/switchboard.server';
import { INSTANCE_ANNOUNCER, TRANSPORT_DRIVER } from './tokens';

/** What a Switchboard server takes from its app: its compiled handlers and the registry to announce itself to, if any. */
@Injectable()
export class ServerWiring {
  constructor(
    readonly handlers: HandlerCompiler,
    @Inject(TRANSPORT_DRIVER) readonly driver: TransportDriver,
    @Optional() @Inject(INSTANCE_ANNOUNCER) readonly announcer?: InstanceAnnouncer,
  ) {}
}

/**
 * Connects the Switchboard server of `contracts` to an app that imports SwitchboardModule: on the app's driver,
 * with its registry (if it has one) and its handlers compiled once at start, sharing the app's global guards,
 * pipes, interceptors and filters (`inheritAppConfig`). The server runs from `app.startAllMicroservices()`.
 */
export function connectSwitchboardServer(app: INestApplication, contracts: readonly ServiceContract[]): SwitchboardServer {
  const { driver, handlers, announcer } = app.get(ServerWiring);
  const server = new SwitchboardServer(driver, contracts, { announcer, handlers });
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  return server;
}
