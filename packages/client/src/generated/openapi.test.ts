import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('the generated OpenAPI types', () => {
  it('when the contract is generated afresh, then it equals the committed src/generated/openapi.ts (else run `npm run generate -w @refresh/client`)', () => {
    const fresh = execFileSync(process.execPath, [join(ROOT, 'scripts', 'generate-types.mjs'), '--stdout'], { encoding: 'utf8' });
    const committed = readFileSync(join(ROOT, 'src', 'generated', 'openapi.ts'), 'utf8');
    expect(committed).toBe(fresh);
  });
});
