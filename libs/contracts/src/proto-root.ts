import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the .proto tree of libs/contracts lives at run time: beside the bundle when an app is built
 * (nest-cli copies it to dist/apps/<app>/proto), else in the source tree.
 */
export const CONTRACTS_PROTO_ROOT = [join(__dirname, 'proto'), join(__dirname, '..', 'proto')].find((dir) =>
  existsSync(join(dir, 'inventory')),
) ?? join(__dirname, '..', 'proto');
