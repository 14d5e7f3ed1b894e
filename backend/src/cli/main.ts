/**
 * The trafficlens command line. This file only wires the commands (one per file in commands/) and
 * turns errors into messages and exit codes: 0 success, 1 input or runtime failure, 2 usage error.
 * User errors never print a stack trace; set TRAFFICLENS_DEBUG=1 to see one for internal errors.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EngineError } from '../engine/index.js';
import { NabError } from '../lab/nab/index.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerNabScoreCommand } from './commands/nab-score.js';
import { registerNabCommand } from './commands/nab.js';
import { registerScenariosCommand } from './commands/scenarios.js';
import { registerScoreCommand } from './commands/score.js';
import { registerTrainCommand } from './commands/train.js';
import { registerEvaluateCommand } from './commands/evaluate.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './errors.js';
import { processIO, type CliIO } from './io.js';

function version(): string {
  try {
    // backend/package.json: two levels up from both src/cli and dist/cli.
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

export function createProgram(io: CliIO): Command {
  const program = new Command('trafficlens')
    .description('TrafficLens: anomaly scores for traffic time series')
    .version(version())
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)');
  // Subcommands created after this point inherit the output and exit settings above.
  registerScoreCommand(program, io);
  registerNabCommand(program, io);
  registerNabScoreCommand(program, io);
  registerBenchCommand(program, io);
  registerTrainCommand(program, io);
  registerEvaluateCommand(program, io);
  registerScenariosCommand(program, io);
  return program;
}

/**
 * Runs the CLI. `argv` is process.argv-shaped (node, script, ...args). Resolves to the exit code and
 * never exits the process itself, so it can run in-process (tests, other tools).
 */
export async function main(argv: string[] = process.argv, io: CliIO = processIO()): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: 'node' });
    return EXIT_OK;
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIO): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
    // Anything else (bad option, unknown command, or no command at all, which prints the help) is usage.
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof CliError) {
    io.stderr.write(`trafficlens: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof NabError) {
    io.stderr.write(`trafficlens: ${err.message}\n`);
    return EXIT_FAILURE;
  }
  if (err instanceof EngineError) {
    io.stderr.write(
      `trafficlens: ${err.stage === 'input' ? 'bad input' : `${err.stage} failed`}: ${err.message}\n`,
    );
    return EXIT_FAILURE;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`trafficlens: internal error: ${message}\n`);
  if (process.env.TRAFFICLENS_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  else io.stderr.write('(set TRAFFICLENS_DEBUG=1 for a stack trace)\n');
  return EXIT_FAILURE;
}
