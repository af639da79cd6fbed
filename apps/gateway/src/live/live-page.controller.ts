import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { LIVE_PAGE_HTML } from './live-page-html';
import { LIVE_PAGE_JS } from './live-page-script';

/** The live page at `/` and its script: a demo client, not part of the API (left out of the OpenAPI document). */
@ApiExcludeController()
@Controller()
export class LivePageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return LIVE_PAGE_HTML;
  }

  @Get('app.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return LIVE_PAGE_JS;
  }
}
