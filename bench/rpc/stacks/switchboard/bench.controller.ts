import { Controller, Inject } from '@nestjs/common';
import { RequireScopes } from '@app/auth';
import type { RequestOf } from '@app/contracts';
import { Rpc, TRANSPORT_CONFIG, TransportConfig } from '@app/transport';
import { BenchV1, ECHO_SCOPE } from '../../../contract/bench.contract';

/** bench.v1.Echo as an app declares a handler: one @Rpc method, a scope, the contract's validation. */
@Controller()
export class BenchController {
  constructor(@Inject(TRANSPORT_CONFIG) private readonly config: TransportConfig) {}

  @Rpc(BenchV1.methods.echo)
  @RequireScopes(ECHO_SCOPE)
  echo(request: RequestOf<typeof BenchV1.methods.echo>) {
    return { text: request.text, instance: this.config.instanceId };
  }
}
