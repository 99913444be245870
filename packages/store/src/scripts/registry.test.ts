import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCRIPTS } from './registry';

const luaDir = join(__dirname, '..', '..', 'lua');

/** The highest KEYS[n] a script's header documents (`KEYS[4..9]` counts as 9). */
function keysInHeader(file: string): number {
  const src = readFileSync(join(luaDir, file), 'utf8');
  const header = src.slice(0, src.indexOf(']]'));
  return Math.max(0, ...[...header.matchAll(/KEYS\[(\d+)(?:\.\.(\d+))?\]/g)].map(([, a, b]) => Number(b ?? a)));
}

describe('the script registry', () => {
  it('when the lua folder is listed, then every script in it is registered once', () => {
    const files = readdirSync(luaDir).filter((f) => f.endsWith('.lua')).sort();
    expect(Object.values(SCRIPTS).map((s) => s.file).sort()).toEqual(files);
  });

  it("when a script's key count is declared, then it is the count its header documents", () => {
    const mismatched = Object.values(SCRIPTS)
      .filter((s) => keysInHeader(s.file) !== s.keys)
      .map((s) => `${s.file}: ${s.keys} declared, ${keysInHeader(s.file)} documented`);
    expect(mismatched).toEqual([]);
  });
});
