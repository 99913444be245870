import { RefreshClient } from '@refresh/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { budget } from './commands/budget';
import { status } from './commands/status';
import { submit, type SubmitFlags } from './commands/submit';
import { EXIT_CODES_HELP, UsageError } from './exit-codes';

interface GlobalFlags {
  url: string;
  apiKey?: string;
}

/** The `refresh` command line. Actions throw; main turns what they throw into an exit code. */
export function buildProgram(): Command {
  const program = new Command('refresh')
    .description("Client of the VOD refresh service: queue CDN refreshes of any size and follow them to VOD's verdict")
    .addOption(new Option('--url <url>', 'the refresh service').env('REFRESH_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--api-key <key>', 'API key of the caller').env('REFRESH_API_KEY'))
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(refresh --help lists commands and exit codes)')
    .exitOverride();

  program
    .command('submit')
    .description('queue the items of a file, or of stdin (one asset id or URL a line; a line with :// is a URL), streamed')
    .argument('[file]', 'file of items; "-" or none reads stdin')
    .requiredOption('-t, --tenant <tenant>', 'tenant to refresh for')
    .addOption(new Option('-p, --priority <priority>', 'dispatch priority').choices(['high', 'normal', 'low']))
    .option('--idempotency-key <key>', 'repeat a submit safely: the same key and items answer with the first request')
    .option('--callback-url <url>', "POST a signed summary here when every item is final (its host must be in the caller's webhook allowlist)")
    .option('-w, --wait', 'follow the request until every item is final, showing progress on stderr')
    .option('--timeout <seconds>', 'with --wait: give up (exit 6) after this many seconds', positive)
    .option('--interval <ms>', 'with --wait: ms between status checks', positive, 1000)
    .option('--json', 'print the answer (with --wait: the final request view) as JSON on stdout')
    .addHelpText('after', EXIT_CODES_HELP)
    .action((file: string | undefined, flags: SubmitFlags, cmd: Command) => submit(clientOf(cmd), file, flags));

  program
    .command('status')
    .description("a request's status and counts by state; --items lists every item")
    .argument('<request-id>')
    .option('--items', 'also list every item with its state, task id and error')
    .option('--json', 'print JSON on stdout')
    .action((id: string, flags: { json?: boolean; items?: boolean }, cmd: Command) => status(clientOf(cmd), id, flags));

  program
    .command('budget')
    .description("a tenant's budget today, and whether sending is paused or throttled")
    .argument('<tenant>')
    .option('--json', 'print JSON on stdout')
    .action((tenant: string, flags: { json?: boolean }, cmd: Command) => budget(clientOf(cmd), tenant, flags));

  return program;
}

function clientOf(cmd: Command): RefreshClient {
  const { url, apiKey } = cmd.optsWithGlobals<GlobalFlags>();
  if (!apiKey) throw new UsageError('no API key: set REFRESH_API_KEY or pass --api-key');
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url ${url} is not a URL`);
  }
  return new RefreshClient({ baseUrl: url, apiKey });
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}
