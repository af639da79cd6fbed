import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callCommand, findMethod, readBody } from './call.command';

describe('call command', () => {
  it('finds a contract method by its pattern', () => {
    const found = findMethod('inventory.v1.Reserve');
    expect(found.contract.service).toBe('inventory');
    expect(found.method.pattern).toBe('inventory.v1.Reserve');
  });

  it('names the known methods when the pattern is unknown', () => {
    expect(() => findMethod('inventory.v1.Steal')).toThrow(/unknown method "inventory.v1.Steal"; methods: .*inventory.v1.Reserve/);
  });

  it('reads the body inline or from a file, and refuses what is not JSON', () => {
    expect(readBody(undefined)).toEqual({});
    expect(readBody('{"sku":"SKU-MUG"}')).toEqual({ sku: 'SKU-MUG' });
    const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'body.json');
    writeFileSync(file, '{"orderId":"o-1"}');
    expect(readBody(`@${file}`)).toEqual({ orderId: 'o-1' });
    expect(() => readBody('{sku:')).toThrow(/the request body is not JSON/);
    expect(() => readBody('@/no/such/file.json')).toThrow(/cannot read \/no\/such\/file.json: ENOENT/);
  });

  it('refuses the in-process transport and a body that does not match the contract, before calling anything', async () => {
    const saved = process.env.TRANSPORT;
    try {
      delete process.env.TRANSPORT;
      await expect(callCommand('orders.v1.GetOrder', {}, { as: 'gateway', metadata: {} })).rejects.toThrow(/TRANSPORT=memory lives inside the system process/);
      process.env.TRANSPORT = 'nats';
      await expect(callCommand('inventory.v1.Reserve', { orderId: 7 }, { as: 'orders', metadata: {} })).rejects.toThrow(
        /the request does not match inventory.v1.Reserve:\n {2}orderId: /,
      );
    } finally {
      if (saved === undefined) delete process.env.TRANSPORT;
      else process.env.TRANSPORT = saved;
    }
  });
});
