import { MsgHdrsImpl } from 'nats/lib/nats-base-client/headers';
import { connect, headers, Msg, MsgHdrs, NatsConnection } from 'nats';
import { NatsServerProcess } from '@app/testing';
import { headerMetadata, metadataHeaders as natsHeaders, requestHeaders as ourHeaders, requestMetadata } from './nats-metadata';

/** Both as nats.js sees them when it publishes: something to `encode()`. */
const metadataHeaders = (metadata: Record<string, string>) => natsHeaders(metadata) as MsgHdrs & { encode(): Uint8Array };
const requestHeaders = (metadata: Record<string, string>) => ourHeaders(metadata) as MsgHdrs & { encode(): Uint8Array };

describe('requestHeaders', () => {
  const metadata = {
    'x-correlation-id': '0c5e7a3e-2b1f-4f7e-9d55-3c1d2a9b8e71',
    'x-deadline': '1796000000000',
    'x-caller': 'orders',
    authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJvcmRlcnMifQ.c2ln',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };

  it('encodes exactly what nats.js would for the same metadata', () => {
    expect(requestHeaders(metadata).encode()).toEqual(metadataHeaders(metadata).encode());
    expect(requestHeaders(metadata).toString()).toBe(metadataHeaders(metadata).toString());
  });

  it('reads back, through nats.js, as the same metadata', () => {
    const decoded = MsgHdrsImpl.decode(requestHeaders(metadata).encode());
    expect(headerMetadata(decoded)).toEqual(metadata);
  });
});

describe('requestMetadata', () => {
  const broker = new NatsServerProcess();
  let nc: NatsConnection;
  beforeAll(async () => {
    await broker.start();
    nc = await connect({ servers: broker.url });
  });
  afterAll(async () => {
    await nc?.close();
    await broker.dispose();
  });

  /** Publishes with these headers and returns the message as the subscriber received it. */
  async function received(build: (h: MsgHdrs) => void, body = '{}'): Promise<Msg> {
    const subscription = nc.subscribe(`spec.${Math.random().toString(36).slice(2)}`, { max: 1 });
    const hdrs = headers();
    build(hdrs);
    nc.publish(subscription.getSubject(), body, { headers: hdrs });
    for await (const msg of subscription) return msg;
    throw new Error('no message');
  }

  it('reads the same metadata as nats.js decoding the headers, malformed and repeated entries included', async () => {
    const msg = await received((h) => {
      h.append('x-caller', 'orders');
      h.append('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      h.append('x-repeated', 'first');
      h.append('x-repeated', 'second');
      h.append('Upper-Case', 'dropped: keys are lower case');
      h.append('x-spaces', '  trimmed  ');
      h.append('x-non-ascii', 'caf\u00e9');
      h.append('grpc-timeout', '1S');
    });
    const ours = requestMetadata(msg);
    expect(ours).toEqual(headerMetadata(msg.headers));
    expect(ours).toEqual({
      'x-caller': 'orders',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x-repeated': 'first',
      'x-spaces': 'trimmed',
      'grpc-timeout': '1S',
    });
  });

  it('is empty for a message without headers', async () => {
    const subscription = nc.subscribe('spec.bare', { max: 1 });
    nc.publish('spec.bare', '{}');
    for await (const msg of subscription) expect(requestMetadata(msg)).toEqual({});
  });
});
