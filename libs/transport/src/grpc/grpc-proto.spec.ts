import { OrdersV1 } from '@app/contracts';
import { loadProto, messageDefinition, methodCodec } from './grpc-proto';

describe('gRPC proto codecs', () => {
  const order = { id: 'o1', customerId: 'c1', status: 'PENDING', items: [], totalCents: 0, createdAt: 'now' };
  const message = messageDefinition(OrdersV1, 'Order');
  const codec = methodCodec(OrdersV1.methods.getOrder);

  it('loads a .proto file once', () => {
    expect(loadProto(OrdersV1)).toBe(loadProto(OrdersV1));
  });

  it('leaves an unset proto3 optional field absent, and keeps a set one', () => {
    expect(codec.deserialize(message.serialize(order))).toEqual(order);
    expect(codec.deserialize(message.serialize({ ...order, reason: 'out of stock' }))).toEqual({ ...order, reason: 'out of stock' });
  });

  it('codes a method the .proto does not declare by its message types', () => {
    const missing = { ...OrdersV1.methods.getOrder, name: 'Missing', grpcPath: '/orders.v1.Orders/Missing' };
    expect(methodCodec(missing).serialize({ id: 'o1', customerId: 'c1' })).toEqual(codec.serialize({ id: 'o1', customerId: 'c1' }));
  });
});
