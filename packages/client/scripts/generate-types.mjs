#!/usr/bin/env node
/**
 * Writes src/generated/openapi.ts: the TypeScript types of the service's OpenAPI document, built
 * from the same zod schemas that validate requests (@refresh/contract, which must be built).
 *
 *   node scripts/generate-types.mjs            write the file
 *   node scripts/generate-types.mjs --stdout   print it instead (the drift test compares the two)
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const require = createRequire(import.meta.url);
const { openApiDocument } = require('@refresh/contract');

const HEADER = `/**
 * GENERATED from the OpenAPI document of @refresh/contract by scripts/generate-types.mjs.
 * Do not edit: run \`npm run generate -w @refresh/client\` after the contract changes.
 */

`;

export async function generate() {
  // the info.version is not part of the types; pin it so the output only changes with the contract
  const ast = await openapiTS(openApiDocument('0.0.0'), { alphabetize: false, exportType: false });
  return HEADER + astToString(ast);
}

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated', 'openapi.ts');
const text = await generate();
if (process.argv.includes('--stdout')) {
  process.stdout.write(text);
} else {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  process.stderr.write(`wrote ${out}\n`);
}
