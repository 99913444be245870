// The Node.js options a service runs with: its package.json's `nodeArgs`, the one place they are
// written. The API's image and `npm run start:api` spell them out as well, and
// packages/config/test/deploy-artifacts.test.ts keeps them equal.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The `nodeArgs` of `services/<service>/package.json`, or none. */
export function serviceNodeArgs(service) {
  const pkg = JSON.parse(readFileSync(join(root, 'services', service, 'package.json'), 'utf8'));
  return Array.isArray(pkg.nodeArgs) ? pkg.nodeArgs : [];
}
