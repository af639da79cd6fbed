import { MsgHdrsImpl } from 'nats/lib/nats-base-client/headers';
import type { MsgHdrs } from 'nats';
import { headerMetadata, metadataHeaders as natsHeaders, requestHeaders as ourHeaders } from './nats-metadata';

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
