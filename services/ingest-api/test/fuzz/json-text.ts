/**
 * A JSON value whose objects are lists of entries, written out by hand. A JavaScript object
 * literal cannot carry "__proto__" as an ordinary key (it sets the prototype instead), and
 * JSON.stringify drops it; an entry list writes exactly the keys the fuzzer chose.
 */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  readonly entries: ReadonlyArray<readonly [string, Json]>;
}

export const obj = (entries: ReadonlyArray<readonly [string, Json]>): JsonObject => ({ entries });

export function writeJson(v: Json): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(writeJson).join(',')}]`;
  // JSON.stringify escapes lone surrogates (\ud800), so every string stays valid JSON text
  return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${writeJson(x)}`).join(',')}}`;
}
