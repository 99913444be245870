import { execFile } from 'node:child_process';

/**
 * Validates a document with @seriousme/openapi-schema-validator (the official OpenAPI 3.x JSON
 * schemas run by ajv). The package is ESM only, which jest's CommonJS runtime cannot load, so it
 * runs in a child node process, fed the document on stdin.
 */
export function validateOpenApi(document: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    const result = await new Validator().validate(JSON.parse(text));
    process.stdout.write(JSON.stringify(result));
  `;
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: __dirname }, (err, stdout, stderr) => {
      if (err) reject(new Error(`the validator did not run: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as { valid: boolean; errors?: unknown });
    });
    child.stdin?.end(JSON.stringify(document));
  });
}
