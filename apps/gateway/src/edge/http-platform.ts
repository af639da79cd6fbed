import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { HttpPlatform } from '../config/edge-config';
import { GatewayFastifyAdapter } from './fastify-edge';

/** The HTTP adapter the gateway runs on (HTTP_PLATFORM), for `NestFactory.create`. */
export function httpAdapterFor(platform: HttpPlatform): AbstractHttpAdapter {
  return platform === 'fastify' ? new GatewayFastifyAdapter() : new ExpressAdapter();
}
