import type { StreamCommands } from './stream-commands';
import { EntrySettler } from './entry-settler';

/** A StreamCommands that records the settling commands, failing the ones `fail` picks. */
function recordingCommands(fail: (command: string) => Error | undefined = () => undefined) {
  const calls: string[] = [];
  const run = async (command: string) => {
    calls.push(command);
    const error = fail(command);
    if (error) throw error;
  };
  const commands = {
    ack: (stream: string, _group: string, ids: readonly string[]) => run(`XACK ${stream} ${ids.join(',')}`),
    move: (stream: string, _group: string, consumer: string, _idle: number, ids: readonly string[]) => run(`XCLAIM ${stream} ${consumer} ${ids.join(',')}`),
  } as unknown as StreamCommands;
  return { commands, calls };
}

describe('EntrySettler', () => {
  it('settles what finished in one turn with one command per stream and kind of outcome', async () => {
    const { commands, calls } = recordingCommands();
    const settler = new EntrySettler('billing', 'billing:retry', commands);
    await Promise.all([
      settler.settle({ stream: 's1', entryId: '1-0', outcome: 'ack' }),
      settler.settle({ stream: 's1', entryId: '2-0', outcome: 'dead' }),
      settler.settle({ stream: 's2', entryId: '3-0', outcome: 'ack' }),
      settler.settle({ stream: 's1', entryId: '4-0', outcome: 'retry' }),
      settler.settle({ stream: 's1', entryId: '5-0', outcome: 'ack' }),
    ]);
    expect(calls.sort()).toEqual(['XACK s1 1-0,2-0,5-0', 'XACK s2 3-0', 'XCLAIM s1 billing:retry 4-0']);
    await settler.settle({ stream: 's1', entryId: '6-0', outcome: 'ack' });
    expect(calls).toContain('XACK s1 6-0');
  });

  it('keeps what Redis did not take for flush, in order, and drops what has no group left', async () => {
    let down = true;
    const { commands, calls } = recordingCommands((command) =>
      command.includes('gone') ? new Error('NOGROUP no such group') : down ? new Error('Connection is closed.') : undefined,
    );
    const settler = new EntrySettler('billing', 'billing:retry', commands);
    await Promise.all([
      settler.settle({ stream: 's1', entryId: '1-0', outcome: 'ack' }),
      settler.settle({ stream: 'gone', entryId: '2-0', outcome: 'ack' }),
      settler.settle({ stream: 's1', entryId: '3-0', outcome: 'retry' }),
      settler.settle({ stream: 's1', entryId: '4-0', outcome: 'ack' }),
    ]);
    expect(settler.waiting).toBe(3);
    expect(settler.heldKeys()).toEqual(['s1 1-0', 's1 4-0', 's1 3-0']);
    await expect(settler.flush(commands)).rejects.toThrow('Connection is closed');
    expect(settler.waiting).toBe(3);
    down = false;
    calls.length = 0;
    await settler.flush(commands);
    expect(settler.waiting).toBe(0);
    expect(calls).toEqual(['XACK s1 1-0,4-0', 'XCLAIM s1 billing:retry 3-0']);
  });
});
