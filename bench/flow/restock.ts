import Database from 'better-sqlite3';
import { join } from 'node:path';

/**
 * Puts `units` more of `sku` on inventory's shelf, in the running inventory's own SQLite file (WAL: it keeps
 * serving while the bench writes), so a long flow of orders is confirmed rather than rejected for lack of stock.
 */
export function restock(dataDir: string, sku: string, units: number): void {
  const db = new Database(join(dataDir, 'inventory.sqlite'), { fileMustExist: true, timeout: 10_000 });
  try {
    const { changes } = db.prepare('UPDATE stock SET available = available + ? WHERE sku = ?').run(units, sku);
    if (changes !== 1) throw new Error(`inventory has no stock row for ${sku}`);
  } finally {
    db.close();
  }
}
