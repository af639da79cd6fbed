import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); a browser is never downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless Chromium for the live page, driven by playwright-core, with a fresh profile (--user-data-dir) that is
 * removed on close. `screenshot` returns the PNG and, when LIVE_PAGE_SCREENSHOT names a file (`{name}` replaced),
 * writes it there too (how docs/live-page.png is made).
 */
export class LivePageBrowser {
  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<LivePageBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
    try {
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        viewport: { width: 1100, height: 720 },
        timeout: 30_000,
      });
      return new LivePageBrowser(context, profile);
    } catch (error) {
      rmSync(profile, { recursive: true, force: true });
      throw error;
    }
  }

  async open(url: string): Promise<Page> {
    const page = await this.context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(url, { waitUntil: 'load' });
    return page;
  }

  async screenshot(page: Page, name: string): Promise<Buffer> {
    const png = await page.screenshot({ fullPage: true });
    const target = process.env.LIVE_PAGE_SCREENSHOT;
    if (target) writeFileSync(target.replace('{name}', name), png);
    return png;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    rmSync(this.profile, { recursive: true, force: true });
  }
}
