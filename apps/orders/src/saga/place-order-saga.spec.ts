import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryV1, PaymentsV1 } from '@app/contracts';
import { openDatabase, SqliteDatabase } from '@app/storage';
import { RpcError, ServiceClient, StatusCode, TransportConfig } from '@app/transport';
import { OrderRepository } from '../order.repository';
import { ORDERS_MIGRATIONS } from '../orders.migrations';
import { PlaceOrderService } from '../place-order.service';
import { PlaceOrderSaga } from './place-order-saga';
import { SagaConfig } from './saga-config';
import { SagaStore } from './saga.store';
import { unpublishedOutbox } from '../testing/unpublished-outbox';

type Step = 'reserve' | 'charge' | 'cancel' | 'release';
/** What a scripted downstream answers: ok, or throws this error (one entry per call; the last one repeats). */
type Script = Partial<Record<Step, (RpcError | 'ok')[]>>;

/** inventory and payments as the saga sees them (typed clients), answering from a script and counting calls. */
function downstream(script: Script) {
  const calls: Step[] = [];
  const answer = async <T>(step: Step, ok: T): Promise<T> => {
    calls.push(step);
    const plan = script[step] ?? ['ok'];
    const next = plan.length > 1 ? plan.shift()! : plan[0];
    if (next !== 'ok') throw next;
    return ok;
  };
  const inventory = {
    reserve: (r: { orderId: string }) => answer('reserve', { orderId: r.orderId, lines: [{ sku: 'SKU-TEA', quantity: 2, unitPriceCents: 549 }], totalCents: 1098 }),
    release: (r: { orderId: string }) => answer('release', { orderId: r.orderId, released: true }),
  } as unknown as ServiceClient<typeof InventoryV1>;
  const payments = {
    charge: (r: { orderId: string; amountCents: number }) =>
      answer('charge', { paymentId: 'p-1', orderId: r.orderId, amountCents: r.amountCents, currency: 'EUR', status: 'CAPTURED' }),
    cancel: (r: { orderId: string }) => answer('cancel', { orderId: r.orderId, outcome: 'VOIDED', refundedCents: 0 }),
  } as unknown as ServiceClient<typeof PaymentsV1>;
  return { inventory, payments, calls };
}

const CONFIG: SagaConfig = { stepTimeoutMs: 60_000, retryBaseDelayMs: 1, retryMaxDelayMs: 5, pollMs: 10, leaseMs: 10_000, concurrency: 4 };
const unavailable = () => new RpcError(StatusCode.UNAVAILABLE, 'payments is down');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PlaceOrderSaga (a real SQLite file; inventory and payments scripted)', () => {
  let dir: string;
  const open: SqliteDatabase[] = [];

  /** One orders process over the shared file. */
  const process = (script: Script, config: Partial<SagaConfig> = {}) => {
    const db = openDatabase(join(dir, 'orders.sqlite'), ORDERS_MIGRATIONS);
    open.push(db);
    const orders = new OrderRepository(db);
    const sagas = new SagaStore(db);
    const outbox = unpublishedOutbox(db);
    const { inventory, payments, calls } = downstream(script);
    const saga = new PlaceOrderSaga(sagas, orders, outbox, { ...CONFIG, ...config }, { transport: 'memory' } as TransportConfig, inventory, payments);
    const place = () => new PlaceOrderService(orders, outbox, sagas).place({ customerId: 'alice', items: [{ sku: 'SKU-TEA', quantity: 2 }], paymentMethod: 'visa' });
    const events = () => (db.prepare('SELECT type FROM outbox ORDER BY seq').all() as { type: string }[]).map((r) => r.type.replace('orders.v1.', ''));
    return { db, orders, sagas, saga, calls, place, events };
  };
  const trail = (sagas: SagaStore, orderId: string) => sagas.steps(orderId).map((s) => `${s.step}:${s.outcome}->${s.nextState}`);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-saga-'));
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reserves, charges and confirms, recording each step; the order and OrderConfirmed commit with the last one', async () => {
    const p = process({});
    const order = p.place();
    expect(p.sagas.get(order.id)).toMatchObject({ state: 'RESERVING', context: { 'x-caller': 'orders' } });
    await p.saga.advance(order.id);
    expect(p.calls).toEqual(['reserve', 'charge']);
    expect(p.orders.find(order.id)).toMatchObject({ status: 'CONFIRMED', totalCents: 1098 });
    expect(p.sagas.get(order.id)).toMatchObject({ state: 'CONFIRMED', totalCents: 1098, leaseUntil: 0 });
    expect(trail(p.sagas, order.id)).toEqual(['RESERVING:done->CHARGING', 'CHARGING:done->CONFIRMED']);
    expect(p.events()).toEqual(['OrderPlaced', 'OrderConfirmed']);
    await p.saga.advance(order.id);
    expect(p.calls).toHaveLength(2);
  });

  it('releases (and marks released) when the reservation is refused, then rejects with the reason', async () => {
    const p = process({ reserve: [new RpcError(StatusCode.FAILED_PRECONDITION, 'insufficient stock for SKU-TEA')] });
    const order = p.place();
    await p.saga.advance(order.id);
    expect(p.calls).toEqual(['reserve', 'release']);
    expect(p.orders.find(order.id)).toMatchObject({ status: 'REJECTED', reason: 'insufficient stock for SKU-TEA' });
    expect(trail(p.sagas, order.id)).toEqual(['RESERVING:rejected->RELEASING', 'RELEASING:done->REJECTED']);
    expect(p.events()).toEqual(['OrderPlaced', 'OrderRejected']);
  });

  it('cancels the payment and releases the stock when the charge is declined', async () => {
    const p = process({ charge: [new RpcError(StatusCode.FAILED_PRECONDITION, 'payment declined')] });
    const order = p.place();
    await p.saga.advance(order.id);
    expect(p.calls).toEqual(['reserve', 'charge', 'cancel', 'release']);
    expect(p.orders.find(order.id)).toMatchObject({ status: 'REJECTED', reason: 'payment declined' });
    expect(trail(p.sagas, order.id)).toEqual([
      'RESERVING:done->CHARGING',
      'CHARGING:rejected->REFUNDING',
      'REFUNDING:done->RELEASING',
      'RELEASING:done->REJECTED',
    ]);
  });

  it('keeps a failing step for later (attempts, error, next attempt) and goes on from there', async () => {
    const p = process({ charge: [unavailable(), unavailable(), 'ok'] });
    const order = p.place();
    await p.saga.advance(order.id);
    expect(p.sagas.get(order.id)).toMatchObject({ state: 'CHARGING', attempts: 1, lastError: 'UNAVAILABLE: payments is down' });
    await sleep(5);
    await p.saga.advance(order.id);
    expect(p.sagas.get(order.id)).toMatchObject({ state: 'CHARGING', attempts: 2 });
    await sleep(10);
    await p.saga.advance(order.id);
    expect(p.orders.find(order.id)?.status).toBe('CONFIRMED');
    expect(p.calls).toEqual(['reserve', 'charge', 'charge', 'charge']);
    expect(trail(p.sagas, order.id)).toEqual([
      'RESERVING:done->CHARGING',
      'CHARGING:failed->CHARGING',
      'CHARGING:failed->CHARGING',
      'CHARGING:done->CONFIRMED',
    ]);
  });

  it('compensates a forward step that keeps failing past its step timeout, and retries a compensation until it is done', async () => {
    const p = process({ charge: [unavailable()], cancel: [unavailable(), 'ok'] }, { stepTimeoutMs: 30 });
    const order = p.place();
    await p.saga.advance(order.id);
    await sleep(40);
    await p.saga.advance(order.id);
    expect(p.sagas.get(order.id)).toMatchObject({ state: 'REFUNDING', attempts: 1 });
    await sleep(10);
    await p.saga.advance(order.id);
    const rejected = p.orders.find(order.id)!;
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.reason).toMatch(/^charge did not succeed within 30 ms \(UNAVAILABLE: payments is down\)$/);
    expect(trail(p.sagas, order.id)).toEqual([
      'RESERVING:done->CHARGING',
      'CHARGING:failed->CHARGING',
      'CHARGING:timed-out->REFUNDING',
      'REFUNDING:failed->REFUNDING',
      'REFUNDING:done->RELEASING',
      'RELEASING:done->REJECTED',
    ]);
  });

  it('resumes after a crash from the stored state, once the dead process lease has run out', async () => {
    const crashed = process({}, { leaseMs: 50 });
    const order = crashed.place();
    // The first process reserved, stored CHARGING and held the lease when it died.
    expect(crashed.sagas.claim(order.id, 50)).toBeDefined();
    const reserved = crashed.sagas.get(order.id)!;
    crashed.sagas.move(reserved, 'done', 'CHARGING', { totalCents: 1098 });

    const restarted = process({}, { leaseMs: 50 });
    await restarted.saga.advance(order.id);
    expect(restarted.calls).toEqual([]);
    await sleep(60);
    expect(restarted.sagas.due(10)).toEqual([order.id]);
    await restarted.saga.advance(order.id);
    expect(restarted.calls).toEqual(['charge']);
    expect(restarted.orders.find(order.id)).toMatchObject({ status: 'CONFIRMED', totalCents: 1098 });
  });

  it('runs each step once when two processes advance the same saga at the same time', async () => {
    const a = process({});
    const b = process({});
    const order = a.place();
    await Promise.all([a.saga.advance(order.id), b.saga.advance(order.id), a.saga.advance(order.id)]);
    expect([...a.calls, ...b.calls].sort()).toEqual(['charge', 'reserve']);
    expect(a.orders.find(order.id)?.status).toBe('CONFIRMED');
    expect(a.events()).toEqual(['OrderPlaced', 'OrderConfirmed']);
  });

  it('gives orders left PENDING by the previous version a saga when it upgrades', () => {
    const old = openDatabase(join(dir, 'orders.sqlite'), ORDERS_MIGRATIONS.slice(0, -1));
    old.prepare(
      "INSERT INTO orders (id, customer_id, status, items, payment_method, created_at, updated_at) VALUES ('old-pending', 'alice', 'PENDING', '[]', 'visa', '', 5), ('old-done', 'alice', 'CONFIRMED', '[]', 'visa', '', 5)",
    ).run();
    old.close();
    const p = process({});
    expect(p.sagas.get('old-pending')).toMatchObject({ state: 'RESERVING', nextAttemptAt: 0 });
    expect(p.sagas.get('old-done')).toBeUndefined();
    expect(p.sagas.due(10)).toEqual(['old-pending']);
  });
});
