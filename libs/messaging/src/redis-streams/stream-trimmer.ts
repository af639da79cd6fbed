import type { StreamCommands } from './stream-commands';

/** Compares two stream ids (`<ms>-<seq>`). */
export function compareIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

/**
 * Keeps a stream to what its groups still need: drops the entries older than every group's oldest pending entry
 * and last-delivered id (acked by all, or published before any group existed). Groups created later start at the
 * end of the stream, and what a group needs only moves forward, so this never drops an event some group will read.
 * A stream without groups is left to the XADD length cap.
 */
export class StreamTrimmer {
  constructor(private readonly commands: StreamCommands) {}

  async trim(stream: string): Promise<void> {
    const groups = await this.commands.groups(stream);
    if (groups.length === 0) return;
    let keepFrom: string | undefined;
    for (const group of groups) {
      const oldest = group.pending > 0 ? await this.commands.oldestPending(stream, group.name) : undefined;
      const needed = oldest !== undefined && compareIds(oldest, group.lastDeliveredId) < 0 ? oldest : group.lastDeliveredId;
      if (keepFrom === undefined || compareIds(needed, keepFrom) < 0) keepFrom = needed;
    }
    if (keepFrom !== undefined && keepFrom !== '0-0') await this.commands.trimBefore(stream, keepFrom);
  }
}
