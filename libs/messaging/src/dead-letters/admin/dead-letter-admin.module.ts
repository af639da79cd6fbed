import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_NAME } from '@app/transport';
import { ADMIN_CONFIG, AdminConfig, AdminOptions, loadAdminConfig } from './admin-config';
import { AdminTokenGuard } from './admin-token.guard';
import { DeadLetterAdminController } from './dead-letter-admin.controller';

@Injectable()
class AdminStartup implements OnApplicationBootstrap {
  constructor(
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.devDefault) {
      new Logger('admin').warn(`${this.service}: /admin uses the documented development ADMIN_TOKEN; NODE_ENV=production refuses it`);
    }
  }
}

/**
 * The authenticated admin endpoints of a service's HTTP side: `/admin/dead-letters` (needs MessagingModule).
 * `ADMIN_TOKEN` is read at start: in production a missing, short or development token stops the app. It exports
 * AdminTokenGuard, so a service's own admin controllers use the same token.
 */
@Module({})
export class DeadLetterAdminModule {
  static forService(options: AdminOptions = {}): DynamicModule {
    return {
      module: DeadLetterAdminModule,
      controllers: [DeadLetterAdminController],
      providers: [{ provide: ADMIN_CONFIG, useFactory: () => loadAdminConfig(process.env, options) }, AdminTokenGuard, AdminStartup],
      exports: [ADMIN_CONFIG, AdminTokenGuard],
    };
  }
}
