/**
 * trafficlens score FILE.csv: score one series and print it as CSV or as the contract's JSON, one row
 * per input row at the input's timestamps (or the scored grid with --grid, see rows.ts). What a user
 * would otherwise miss goes to stderr: a neural detector without its model, a series still learning.
 */
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import type { DetectorName, SeriesScore } from '../../contract/score.js';
import { scoreSeries, type ScoreParams } from '../../engine/index.js';
import { fileSize } from '../csvRows.js';
import { CliError } from '../errors.js';
import { fallbackNote } from '../notes.js';
import { NotStreamable, streamScoreCsv } from '../streamScore.js';
import { formatScoreCsv } from '../format.js';
import { readSeriesCsv } from '../input.js';
import type { CliIO } from '../io.js';
import { detectorOption, sensitivityOption, timezoneOption } from '../options.js';
import { loadModel, trainedRef } from '../models.js';
import { gridRows, inputRows } from '../rows.js';

interface ScoreOptions {
  detector: DetectorName;
  sensitivity: number;
  causal: boolean;
  format: 'csv' | 'json';
  model?: string;
  grid: boolean;
  timezone?: string;
}

export function registerScoreCommand(program: Command, io: CliIO): void {
  program
    .command('score')
    .description('score one series from a CSV file')
    .argument('<file>', 'CSV with a header line and columns timestamp,value (ISO 8601, epoch s or epoch ms)')
    .addOption(detectorOption())
    .addOption(sensitivityOption())
    .option('--causal', 'score each point only from data at or before it (as streaming does)', false)
    .addOption(timezoneOption())
    .addOption(new Option('-f, --format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--model <dir>', 'a trained model folder (trafficlens train): its newest version scores')
    .option(
      '--grid',
      'print the regular grid the series was scored on (its median step from the first sample; a row for each missing slot) instead of one row per input row',
      false,
    )
    .action(async (file: string, opts: ScoreOptions, command: Command) => {
      const size = await fileSize(file);
      const model = opts.model ? await loadModel(opts.model) : null;
      // With a model and no --detector, the model's detector scores.
      const detector =
        model && command.getOptionValueSource('detector') === 'default'
          ? model.metadata.detector
          : opts.detector;
      const params: ScoreParams = {
        detector,
        sensitivity: opts.sensitivity,
        model,
        trained: trainedRef(model),
        options: { causal: opts.causal, ...(opts.timezone ? { timezone: opts.timezone } : {}) },
      };
      const limit = maxInMemoryBytes();
      if (opts.causal && opts.format === 'csv') {
        try {
          await streamScoreCsv(file, { params, grid: opts.grid, stdout: io.stdout, stderr: io.stderr });
          return;
        } catch (err) {
          if (!(err instanceof NotStreamable)) throw err;
          if (size > limit) {
            throw new CliError(
              `${file} cannot be streamed: ${err.message}; files up to ${mib(limit)} (TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES) are scored in memory, this one is ${mib(size)}`,
            );
          }
        }
      } else if (size > limit) {
        throw new CliError(
          `${file} is ${mib(size)}; scoring ${opts.causal ? 'to JSON' : 'without --causal'} holds the whole series in memory (about 1 GB per million rows), so it is limited to files up to ${mib(limit)} (TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES). Score it with --causal and CSV output, which streams the file in constant memory`,
        );
      }
      await scoreInMemory(file, params, { grid: opts.grid, format: opts.format }, io);
    });
}

/** Largest file scored in memory (every path but --causal to CSV). */
export const DEFAULT_MAX_IN_MEMORY_BYTES = 32 * 1024 * 1024;

function maxInMemoryBytes(): number {
  const raw = process.env.TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES;
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  if (raw !== undefined && raw.trim() !== '' && !(Number.isInteger(n) && n > 0)) {
    throw new CliError(`TRAFFICLENS_CLI_MAX_IN_MEMORY_BYTES: expected a positive integer, got "${raw}"`);
  }
  return Number.isNaN(n) ? DEFAULT_MAX_IN_MEMORY_BYTES : n;
}

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

/** The whole series read, scored by scoreSeries and printed: the JSON contract, or CSV rows. */
export async function scoreInMemory(
  file: string,
  params: ScoreParams,
  opts: { grid: boolean; format: 'csv' | 'json' },
  io: CliIO,
): Promise<void> {
  const series = await readSeriesCsv(file);
  const result = scoreSeries(
    { labels: { source: basename(file) }, timestamps: series.timestamps, values: series.values },
    params,
  );
  for (const note of notes(file, result)) io.stderr.write(`trafficlens: ${note}\n`);
  const rows = opts.grid ? gridRows(result) : inputRows(result, series.timestamps);
  if (opts.format === 'json') {
    const { states: _states, ...contract } = rows;
    io.stdout.write(JSON.stringify(contract) + '\n');
  } else {
    io.stdout.write(formatScoreCsv(rows));
  }
}

/** Why the scores may not be what the user expects; the scores are printed all the same (exit 0). */
function notes(file: string, result: SeriesScore): string[] {
  const fallback = result.model.fallback;
  if (fallback) return [fallbackNote(file, fallback.from, result.detector)];
  if (result.state === 'learning') {
    const points = result.values.filter((v) => v !== null).length;
    return [
      `${file}: the series is still learning: ${points} points, detector ${result.detector} needs ${result.model.learningPoints} before it scores; every score is 0 (state "learning").`,
    ];
  }
  return [];
}
