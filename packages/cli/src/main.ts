#!/usr/bin/env node
import { CommanderError } from 'commander';
import { EXIT, exitCodeOf, ExitWith } from './exit-codes';
import { errorJson, note, printJson, reportError } from './output';
import { buildProgram } from './program';

/** Runs one command and exits with a code from EXIT; no stack traces for expected failures. */
async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    // commander has already printed its message (or the help)
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const code = exitCodeOf(err);
    if (err instanceof ExitWith) {
      if (err.message) note(`refresh: ${err.message}`);
      return code;
    }
    reportError(err);
    if (argv.includes('--json') && code !== EXIT.usage) printJson(errorJson(err));
    if (code === EXIT.unexpected && err instanceof Error && err.stack) note(err.stack);
    return code;
  }
}

// exit explicitly: an upload the service refused early may leave its input stream open
void main(process.argv).then((code) => process.stdout.write('', () => process.exit(code)));
