import type { TapHandle } from '../bus/event-bus';

/** A tap of a broker's bus: started once, closed once. */
export interface StartableTap {
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts `tap`, kept in `open` (the bus closes what is left there when it closes) until its handle is closed; a
 * tap that fails to start is closed and left out, and the failure thrown.
 */
export async function openTap<T extends StartableTap>(open: Set<T>, tap: T): Promise<TapHandle> {
  open.add(tap);
  const close = async () => {
    await tap.close();
    open.delete(tap);
  };
  try {
    await tap.start();
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}
