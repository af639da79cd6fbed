import type { Socket } from 'node:net';

/**
 * Writes frames to a socket, batching all frames written in one tick into one system call (cork now, uncork on
 * the next tick). Frames written to a socket that can no longer be written are dropped.
 */
export class FrameWriter {
  private corked = false;

  constructor(private readonly socket: Socket) {}

  write(frame: Buffer): void {
    const socket = this.socket;
    if (!socket.writable) return;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(this.flush);
    }
    socket.write(frame);
  }

  private readonly flush = (): void => {
    this.corked = false;
    this.socket.uncork();
  };
}
