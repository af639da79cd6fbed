import type { Socket } from 'node:net';
import { FrameDecoder } from './frame-codec';
import { FrameWriter } from './frame-writer';

function fakeSocket() {
  const writes: Buffer[] = [];
  const socket = { writable: true, ended: false, write: (chunk: Buffer) => writes.push(chunk), end: () => (socket.ended = true) };
  return { socket, writes, writer: new FrameWriter(socket as unknown as Socket) };
}

const decodeAll = (chunks: Buffer[]): string[] => {
  const frames: string[] = [];
  const decoder = new FrameDecoder(1 << 20, { frame: (text) => frames.push(text), oversized: () => false });
  for (const chunk of chunks) decoder.push(chunk);
  return frames;
};

describe('FrameWriter', () => {
  it('sends the frames of one tick in one write, length-prefixed, multi-byte characters included', async () => {
    const { writer, writes } = fakeSocket();
    writer.write('{"i":"1"}');
    writer.write('');
    writer.write('ünïcode ✓');
    expect(writes).toHaveLength(0);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(writes).toHaveLength(1);
    expect(decodeAll(writes)).toEqual(['{"i":"1"}', '', 'ünïcode ✓']);
  });

  it('cuts a large batch into several writes', async () => {
    const { writer, writes } = fakeSocket();
    const big = 'x'.repeat(200_000);
    writer.write(big);
    writer.write(big);
    writer.write('tail');
    await new Promise((resolve) => process.nextTick(resolve));
    expect(writes.length).toBeGreaterThan(1);
    expect(decodeAll(writes)).toEqual([big, big, 'tail']);
  });

  it('writes what is queued before ending the socket, and drops frames once it cannot write', async () => {
    const { socket, writer, writes } = fakeSocket();
    writer.write('last reply');
    writer.end();
    expect(socket.ended).toBe(true);
    expect(decodeAll(writes)).toEqual(['last reply']);
    socket.writable = false;
    writer.write('too late');
    await new Promise((resolve) => process.nextTick(resolve));
    expect(writes).toHaveLength(1);
  });
});
