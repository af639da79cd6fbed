import { DynamicModule, Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEAD_LETTERS_MIGRATION,
  DeadLetter,
  DeadLetterAdminModule,
  DeadLetterListView,
  DeadLetterReplayView,
  DeadLetterService,
  DeadLetterView,
} from '@app/messaging';
import { SqliteModule } from '@app/storage';
import { CallContext, MetadataKey, StatusCode } from '@app/transport';
import { freePort } from '../../../brokers/free-port';
import type { EventCase } from '../event-case';
import { EventRecorder } from '../event-recorder';

const ADMIN_TOKEN = 'conformance-admin-token-0123456789abcdef';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const json = async <T>(response: Response | Promise<Response>): Promise<T> => (await (await response).json()) as T;

/** Reaches into a consumer app started by the harness: its DeadLetterService, and its HTTP side on a free port. */
class AppProbe {
  deadLetters!: DeadLetterService;
  http!: HttpAdapterHost;

  module(): DynamicModule {
    @Module({})
    class DeadLetterProbeModule {}
    return {
      module: DeadLetterProbeModule,
      providers: [
        {
          provide: AppProbe,
          inject: [DeadLetterService, HttpAdapterHost],
          useFactory: (deadLetters: DeadLetterService, http: HttpAdapterHost) => Object.assign(this, { deadLetters, http }),
        },
      ],
    };
  }

  /** Listens on a free port (the harness only initialises the app); the app's close stops it. Returns the base URL. */
  async listen(): Promise<string> {
    const port = await freePort();
    const server: Server = this.http.httpAdapter.getHttpServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${port}`;
  }

  async deadLetter(id: string, timeoutMs = 15_000): Promise<DeadLetter> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const letter = await this.deadLetters.get(id).catch(() => undefined);
      if (letter) return letter;
      if (Date.now() > until) throw new Error(`timed out waiting for dead letter ${id}`);
      await pause(25);
    }
  }
}

export const deadLetters: EventCase = {
  name: 'dead letters',
  define(h) {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

    it('records a poison event after exactly maxDeliveries (metadata, last error), keeps the rest flowing, replays it once over the admin endpoint', async () => {
      const recorder = new EventRecorder();
      recorder.alwaysFail.add(7);
      const dir = mkdtempSync(join(tmpdir(), 'dead-letters-conformance-'));
      dirs.push(dir);
      const probe = new AppProbe();
      await h.startConsumer('billing', recorder, [
        SqliteModule.forService({ service: 'billing', migrations: [DEAD_LETTERS_MIGRATION], file: join(dir, 'billing.sqlite') }),
        DeadLetterAdminModule.forService({ adminToken: ADMIN_TOKEN }),
        probe.module(),
      ]);
      const publisher = h.publisher();
      const parent = new CallContext('orders.v1.PlaceOrder', 'memory', { [MetadataKey.correlationId]: 'corr-poison-7' });
      const id = await parent.run(() =>
        publisher.publish(7, { metadata: { [MetadataKey.authorization]: 'Bearer publisher.token.value', 'x-tenant': 'acme' } }),
      );
      for (let n = 8; n <= 12; n++) await publisher.publish(n);

      await recorder.waitFor(() => recorder.handled().length === 5, 15_000, 'the 5 events behind the poison event');
      const letter = await probe.deadLetter(id);
      await pause(1500);
      expect(recorder.of(7).map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
      expect(probe.deadLetters.storage).toBe('sqlite');
      expect(letter).toMatchObject({
        id,
        type: 'conformance.v1.Ping',
        group: probe.deadLetters.group,
        body: JSON.stringify({ n: 7, note: 'event 7' }),
        deliveryCount: 3,
        status: 'dead',
        lastError: { code: StatusCode.UNKNOWN, message: 'induced failure of event 7 (delivery 3)' },
        metadata: { [MetadataKey.correlationId]: 'corr-poison-7', [MetadataKey.caller]: 'conformance-publisher', 'x-tenant': 'acme' },
      });
      expect(letter.metadata).not.toHaveProperty(MetadataKey.authorization);
      expect(letter.firstFailedAt).toBeLessThanOrEqual(letter.deadLetteredAt);

      const base = await probe.listen();
      const admin = (method: string, path: string, authorization?: string) =>
        fetch(`${base}/admin/dead-letters${path}`, { method, headers: authorization === undefined ? {} : { authorization } });
      recorder.alwaysFail.delete(7);
      for (const authorization of [undefined, 'Bearer not-the-admin-token', `Bearer ${ADMIN_TOKEN.slice(0, -1)}`]) {
        expect((await admin('GET', '', authorization)).status).toBe(401);
        expect((await admin('GET', `/${id}`, authorization)).status).toBe(401);
        expect((await admin('POST', `/${id}/replay`, authorization)).status).toBe(401);
        expect((await admin('DELETE', `/${id}`, authorization)).status).toBe(401);
      }
      expect(recorder.of(7)).toHaveLength(3);

      const listed = await json<DeadLetterListView>(admin('GET', '?status=dead', `Bearer ${ADMIN_TOKEN}`));
      expect(listed.items.map((l) => l.id)).toEqual([id]);

      const replay = await admin('POST', `/${id}/replay`, `Bearer ${ADMIN_TOKEN}`);
      expect(replay.status).toBe(200);
      expect(await json<DeadLetterReplayView>(replay)).toMatchObject({ outcome: 'handled', deadLetter: { id, status: 'replayed', replays: 1 } });
      const replayed = recorder.of(7).slice(3);
      expect(replayed).toHaveLength(1);
      expect(replayed[0].eventId).toBe(id);
      expect(replayed[0].metadata).toMatchObject({ 'x-replay-of': id, [MetadataKey.correlationId]: 'corr-poison-7', 'x-tenant': 'acme' });

      const again = await admin('POST', `/${id}/replay`, `Bearer ${ADMIN_TOKEN}`);
      expect(again.status).toBe(409);
      await pause(500);
      expect(recorder.of(7)).toHaveLength(4);
      expect(await json<DeadLetterView>(admin('GET', `/${id}`, `Bearer ${ADMIN_TOKEN}`))).toMatchObject({ status: 'replayed', replays: 1 });
    });

    it('records an event no retry can fix at once, and a replay that fails again leaves it dead for a later one', async () => {
      const recorder = new EventRecorder();
      const probe = new AppProbe();
      await h.startConsumer('billing', recorder, [probe.module()]);
      const publisher = h.publisher();
      await publisher.bus.publish({ id: 'dead-on-arrival', type: 'conformance.v1.Ping', body: '{"n":"nine"}', metadata: {} });
      recorder.alwaysFail.add(3);
      const id = await publisher.publish(3);
      await publisher.publish(4);

      const invalid = await probe.deadLetter('dead-on-arrival');
      expect(probe.deadLetters.storage).toBe('memory');
      expect(invalid).toMatchObject({ deliveryCount: 1, lastError: { code: StatusCode.INVALID_ARGUMENT } });
      await probe.deadLetter(id);
      await recorder.waitFor(() => recorder.of(4).length === 1, 15_000, 'event 4');

      const failed = await probe.deadLetters.replay(id);
      expect(failed).toMatchObject({ outcome: 'failed', deadLetter: { status: 'dead', replays: 1, deliveryCount: 4 } });
      recorder.alwaysFail.delete(3);
      const [first, second] = await Promise.allSettled([probe.deadLetters.replay(id), probe.deadLetters.replay(id)]);
      expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
      await pause(500);
      expect(recorder.of(3).map((d) => d.deliveryCount)).toEqual([1, 2, 3, 4, 5]);
      expect((await probe.deadLetters.get(id)).status).toBe('replayed');
    });
  },
};
