import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { watchOutboxBacklog } from '@app/observability';
import { SERVICE_NAME } from '@app/transport';
import { OutboxRelay } from './outbox-relay';

/** Reports the service's outbox backlog (rows not yet published) as `switchboard_outbox_backlog` at each scrape. */
@Injectable()
export class OutboxBacklogMetric implements OnApplicationBootstrap, OnApplicationShutdown {
  private stop?: () => void;

  constructor(
    private readonly relay: OutboxRelay,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = watchOutboxBacklog(this.service, () => this.relay.backlog());
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }
}
