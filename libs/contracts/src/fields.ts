import { z } from 'zod';

/** Field schemas shared by several contracts, with the limits every service enforces. */
export const Id = z.string().min(1).max(128);
export const Sku = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'sku must be 1-64 letters, digits, . _ -');
export const Quantity = z.number().int().min(1).max(1_000_000);
export const Cents = z.number().int().min(0).max(2_000_000_000);
export const Timestamp = z.string().datetime();
