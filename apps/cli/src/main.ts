import 'reflect-metadata';
import { ALL_CONTRACTS, ServiceContract } from '@app/contracts';
import { APPS, AppName, isApp } from './app-endpoints';
import { CliArgs, HELP, parseCliArgs } from './cli-args';
import { CliError, usageError } from './cli-error';
import { callCommand, readBody } from './commands/call.command';
import { discardDeadLetter, listDeadLetters, replayDeadLetter, showDeadLetter } from './commands/dead-letters.command';
import { formatHealth, healthCommand } from './commands/health.command';
import { EVENT_TYPES, tailEvents } from './commands/tail-events.command';

const print = (value: unknown) => process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);

function appOption(args: CliArgs): AppName {
  if (!args.app) throw usageError(`--app is needed (one of ${APPS.join(', ')})`);
  if (!isApp(args.app)) throw usageError(`unknown app "${args.app}" (one of ${APPS.join(', ')})`);
  return args.app;
}

async function run(args: CliArgs): Promise<number> {
  if (args.help || args.command === undefined || args.command === 'help') {
    print(HELP);
    return args.command === undefined && !args.help ? 2 : 0;
  }
  switch (args.command) {
    case 'call': {
      const [method, ...rest] = args.positionals;
      if (!method) throw usageError('call needs a method, e.g. orders.v1.GetOrder');
      if (rest.length > 0) throw usageError(`unexpected arguments: ${rest.join(' ')} (the body goes in -d)`);
      print(await callCommand(method, readBody(args.data), { as: args.as, timeoutMs: args.timeoutMs, metadata: args.metadata }));
      return 0;
    }
    case 'methods':
      for (const contract of ALL_CONTRACTS as readonly ServiceContract[]) {
        for (const method of Object.values(contract.methods)) print(`${method.pattern}${method.idempotent ? '  (idempotent)' : ''}`);
      }
      return 0;
    case 'health': {
      const unknown = args.positionals.filter((app) => !isApp(app));
      if (unknown.length > 0) throw usageError(`unknown app ${unknown.join(', ')} (apps: ${APPS.join(', ')})`);
      const results = await healthCommand(args.positionals.length > 0 ? (args.positionals as AppName[]) : APPS);
      print(args.json ? results : formatHealth(results));
      return results.every((r) => r.state === 'ready') ? 0 : 1;
    }
    case 'dead-letters': {
      const [action, id, ...rest] = args.positionals;
      if (rest.length > 0) throw usageError(`unexpected arguments: ${rest.join(' ')}`);
      const app = appOption(args);
      if (action === 'list') print(await listDeadLetters(app, { type: args.type, status: args.status, limit: args.limit, cursor: args.cursor }));
      else if (action === 'show') print(await showDeadLetter(app, id));
      else if (action === 'replay') print(await replayDeadLetter(app, id));
      else if (action === 'discard') print(await discardDeadLetter(app, id));
      else throw usageError(`dead-letters takes list, show, replay or discard; got "${action ?? ''}"`);
      return 0;
    }
    case 'events': {
      const [action, ...rest] = args.positionals;
      if (action !== 'tail' || rest.length > 0) throw usageError('events takes: tail [--type T[,T...]] [--limit N]');
      const limit = args.limit === undefined ? undefined : Number(args.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw usageError(`--limit must be a positive integer; got "${args.limit}"`);
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await tailEvents({
        types: args.type ? args.type.split(',').map((t) => t.trim()) : EVENT_TYPES,
        limit,
        stop,
        onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
      });
      return 0;
    }
    default:
      throw usageError(`unknown command "${args.command}"`);
  }
}

/** Exits when the command is done, whatever connections a failed one may have left open (stdout is synchronous here). */
async function main(): Promise<void> {
  let code: number;
  try {
    code = await run(parseCliArgs(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    code = error instanceof CliError ? error.exitCode : 1;
  }
  process.exit(code);
}

void main();
