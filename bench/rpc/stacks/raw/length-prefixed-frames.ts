import type { Socket } from 'node:net';

/** A frame: 4-byte big-endian length, then a UTF-8 body. */
export function frame(body: string): Buffer {
  const bytes = Buffer.byteLength(body);
  const out = Buffer.allocUnsafe(4 + bytes);
  out.writeUInt32BE(bytes, 0);
  out.write(body, 4);
  return out;
}

/** Calls `onFrame` with each complete frame's body read from the socket. */
export function readFrames(socket: Socket, onFrame: (body: string) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    let offset = 0;
    while (buffered.length - offset >= 4) {
      const size = buffered.readUInt32BE(offset);
      if (buffered.length - offset - 4 < size) break;
      onFrame(buffered.toString('utf8', offset + 4, offset + 4 + size));
      offset += 4 + size;
    }
    buffered = offset === buffered.length ? Buffer.alloc(0) : buffered.subarray(offset);
  });
}
