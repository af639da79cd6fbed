import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the .proto tree of libs/contracts lives at run time: `../proto` from this file, in the source tree and in the
 * build alike (scripts/build-all.js and nest-cli copy it to dist/libs/contracts/proto); `./proto` is where a bundle
 * that inlines this file would keep it.
 */
export const CONTRACTS_PROTO_ROOT = [join(__dirname, 'proto'), join(__dirname, '..', 'proto')].find((dir) =>
  existsSync(join(dir, 'inventory')),
) ?? join(__dirname, '..', 'proto');
