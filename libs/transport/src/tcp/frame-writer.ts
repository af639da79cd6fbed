import type { Socket } from 'node:net';
import { FRAME_HEADER_BYTES } from './frame-codec';

/** A batch is cut into writes of about this many bytes, so large frames are not all copied into one buffer. */
const MAX_WRITE_BYTES = 256 * 1024;

/**
 * Writes frames to a socket. The frames written in one tick are framed into one buffer and go out in one write
 * (one system call) when the tick ends; no buffer per frame. Frames written to a socket that can no longer be
 * written are dropped.
 */
export class FrameWriter {
  private texts: string[] = [];
  private lengths: number[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  /** Queues one frame (its UTF-8 text) for the write at the end of this tick. */
  write(text: string): void {
    if (!this.socket.writable) return;
    const length = Buffer.byteLength(text);
    this.texts.push(text);
    this.lengths.push(length);
    this.bytes += FRAME_HEADER_BYTES + length;
    if (this.bytes >= MAX_WRITE_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.onTick);
    }
  }

  /** Writes what is queued, then ends the socket (it closes once the peer hangs up too). */
  end(): void {
    this.flush();
    this.socket.end();
  }

  private readonly onTick = (): void => {
    this.scheduled = false;
    this.flush();
  };

  private flush(): void {
    const { texts, lengths, bytes } = this;
    if (texts.length === 0) return;
    this.texts = [];
    this.lengths = [];
    this.bytes = 0;
    if (!this.socket.writable) return;
    const out = Buffer.allocUnsafe(bytes);
    let offset = 0;
    for (let i = 0; i < texts.length; i++) {
      out.writeUInt32BE(lengths[i], offset);
      offset += FRAME_HEADER_BYTES;
      offset += out.write(texts[i], offset);
    }
    this.socket.write(out);
  }
}
