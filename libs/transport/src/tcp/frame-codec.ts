/** Bytes of the big-endian length that starts every frame. */
export const FRAME_HEADER_BYTES = 4;
/** Room a frame may take beyond the payload limit, for the request id, method and metadata around it. */
export const FRAME_ENVELOPE_BYTES = 64 * 1024;
/** How much of an oversized frame is read (to learn its request id) before the rest is skipped. */
export const OVERSIZED_HEAD_BYTES = 64;

/** A frame on the wire: 4-byte big-endian length, then that many bytes of UTF-8 text. */
export function encodeFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  frame.writeUInt32BE(length, 0);
  frame.write(text, FRAME_HEADER_BYTES);
  return frame;
}

export interface FrameHandler {
  frame(text: string): void;
  /**
   * A frame declared longer than the limit. `head` is its first bytes (latin1). Return true to skip the frame
   * without buffering it, false to stop decoding (the caller closes the connection).
   */
  oversized(head: string, length: number): boolean;
}

/**
 * Cuts a byte stream into frames. Handles partial frames and many frames per chunk; a frame split over chunks
 * is copied once, when it is complete, so decoding stays linear in the bytes received. A frame over the limit
 * is never buffered: the handler sees its head, then its bytes are skipped as they arrive.
 */
export class FrameDecoder {
  private parts: Buffer[] = [];
  private buffered = 0;
  /** Bytes `parts` must hold before decoding can make progress. */
  private needed = FRAME_HEADER_BYTES;
  private skipping = 0;
  private stopped = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly handler: FrameHandler,
  ) {}

  /** Feeds received bytes; returns false once decoding has stopped (an oversized frame was refused). */
  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    if (this.skipping > 0) {
      const skipped = Math.min(this.skipping, chunk.length);
      this.skipping -= skipped;
      if (skipped === chunk.length) return true;
      chunk = chunk.subarray(skipped);
    }
    if (this.buffered > 0) {
      this.parts.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered < this.needed) return true;
      chunk = Buffer.concat(this.parts, this.buffered);
      this.parts = [];
      this.buffered = 0;
    }
    return this.decode(chunk);
  }

  /** Drops what is buffered; later pushes are ignored. */
  stop(): void {
    this.stopped = true;
    this.parts = [];
    this.buffered = 0;
  }

  private decode(data: Buffer): boolean {
    let offset = 0;
    while (data.length - offset >= FRAME_HEADER_BYTES) {
      const length = data.readUInt32BE(offset);
      const start = offset + FRAME_HEADER_BYTES;
      const available = data.length - start;
      if (length > this.maxFrameBytes) {
        const headBytes = Math.min(length, OVERSIZED_HEAD_BYTES);
        if (available < headBytes) return this.keep(data, offset, FRAME_HEADER_BYTES + headBytes);
        if (!this.handler.oversized(data.toString('latin1', start, start + headBytes), length)) {
          this.stop();
          return false;
        }
        const inData = Math.min(available, length);
        this.skipping = length - inData;
        offset = start + inData;
        continue;
      }
      if (available < length) return this.keep(data, offset, FRAME_HEADER_BYTES + length);
      offset = start + length;
      this.handler.frame(data.toString('utf8', start, offset));
      if (this.stopped) return false;
    }
    return this.keep(data, offset, FRAME_HEADER_BYTES);
  }

  private keep(data: Buffer, offset: number, needed: number): true {
    if (offset < data.length) {
      this.parts.push(offset === 0 ? data : data.subarray(offset));
      this.buffered = data.length - offset;
    }
    this.needed = needed;
    return true;
  }
}
