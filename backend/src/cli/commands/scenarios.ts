/**
 * trafficlens scenarios: the labelled scenario suite (src/lab/scenarios) scored causally, one row per
 * scenario: detection, onset delay, coverage, false episodes per day, last/first peak ratio of
 * repeated incidents, flagged recurrences. By default over 5 random seeds, which it prints.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { STATISTICAL_DETECTORS, type DetectorName } from '../../contract/score.js';
import { SCENARIOS, findScenario, type Scenario } from '../../lab/scenarios/catalog.js';
import { formatSuiteReport } from '../../lab/scenarios/report.js';
import { randomSeeds, runSuite } from '../../lab/scenarios/suite.js';
import { CliError, EXIT_USAGE } from '../errors.js';
import type { CliIO } from '../io.js';
import { sensitivityOption } from '../options.js';
import { createProgress } from '../progress.js';

interface ScenariosOptions {
  seed?: number[];
  seeds?: number;
  detector: DetectorName;
  sensitivity: number;
  format: 'table' | 'json';
  only?: Scenario[];
}

export const DEFAULT_SEED_COUNT = 5;

function parseSeedList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) > 2 ** 32 - 1)) {
    throw new InvalidArgumentError('expected an integer from 0 to 4294967295, or a comma-separated list.');
  }
  return parts.map(Number);
}

function parseSeedCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 1000)
    throw new InvalidArgumentError('expected an integer from 1 to 1000.');
  return n;
}

function parseScenarios(text: string): Scenario[] {
  const names = text.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !findScenario(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(
      `unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}; expected a comma-separated list of ${SCENARIOS.map((s) => s.name).join(', ')}.`,
    );
  }
  // Catalog order, each once.
  return SCENARIOS.filter((s) => names.includes(s.name));
}

export function registerScenariosCommand(program: Command, io: CliIO): void {
  program
    .command('scenarios')
    .description(
      'score the labelled scenario suite (synthetic 1-minute traffic, 14 days) causally and print its figures',
    )
    .option('--seed <n[,n...]>', 'these seeds (the run is reproducible)', parseSeedList)
    .option('--seeds <k>', `K random seeds, printed (default ${DEFAULT_SEED_COUNT})`, parseSeedCount)
    .addOption(new Option('-d, --detector <name>', 'detector').choices(STATISTICAL_DETECTORS).default('auto'))
    .addOption(sensitivityOption())
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option('--only <names>', 'only these scenarios (comma-separated)', parseScenarios)
    .action(async (opts: ScenariosOptions) => {
      if (opts.seed && opts.seeds !== undefined) {
        throw new CliError('give --seed or --seeds, not both', EXIT_USAGE);
      }
      const seeds = opts.seed ?? randomSeeds(opts.seeds ?? DEFAULT_SEED_COUNT);
      io.stderr.write(`[scenarios] seeds ${seeds.join(',')}\n`);
      const progress = createProgress(io.stderr, 'runs');
      let result;
      try {
        result = await runSuite({
          seeds,
          params: { detector: opts.detector, sensitivity: opts.sensitivity },
          scenarios: opts.only ?? SCENARIOS,
          onRunStart: (i, n, label) => progress.start(i, n, label),
          onRunDone: (i, n, label, ms) => progress.done(i, n, label, ms),
        });
      } finally {
        progress.stop();
      }
      io.stdout.write(
        opts.format === 'json' ? JSON.stringify(result, null, 2) + '\n' : formatSuiteReport(result),
      );
    });
}
