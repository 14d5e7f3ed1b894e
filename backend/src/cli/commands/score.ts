/**
 * trafficlens score FILE.csv: score one series and print it as CSV or as the contract's JSON, one row
 * per input row at the input's timestamps (or the scored grid with --grid, see rows.ts). What a user
 * would otherwise miss goes to stderr: a neural detector without its model, a series still learning.
 */
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import type { DetectorName, SeriesScore } from '../../contract/score.js';
import { scoreSeries } from '../../engine/index.js';
import { formatScoreCsv } from '../format.js';
import { readSeriesCsv } from '../input.js';
import type { CliIO } from '../io.js';
import { detectorOption, sensitivityOption } from '../options.js';
import { loadModel, trainedRef } from '../models.js';
import { gridRows, inputRows } from '../rows.js';

interface ScoreOptions {
  detector: DetectorName;
  sensitivity: number;
  causal: boolean;
  format: 'csv' | 'json';
  model?: string;
  grid: boolean;
}

export function registerScoreCommand(program: Command, io: CliIO): void {
  program
    .command('score')
    .description('score one series from a CSV file')
    .argument('<file>', 'CSV with a header line and columns timestamp,value (ISO 8601, epoch s or epoch ms)')
    .addOption(detectorOption())
    .addOption(sensitivityOption())
    .option('--causal', 'score each point only from data at or before it (as streaming does)', false)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['csv', 'json']).default('csv'))
    .option('--model <dir>', 'a trained model folder (trafficlens train): its newest version scores')
    .option(
      '--grid',
      'print the regular grid the series was scored on (its median step from the first sample; a row for each missing slot) instead of one row per input row',
      false,
    )
    .action(async (file: string, opts: ScoreOptions, command: Command) => {
      const series = await readSeriesCsv(file);
      const model = opts.model ? await loadModel(opts.model) : null;
      // With a model and no --detector, the model's detector scores.
      const detector =
        model && command.getOptionValueSource('detector') === 'default'
          ? model.metadata.detector
          : opts.detector;
      const result = scoreSeries(
        { labels: { source: basename(file) }, timestamps: series.timestamps, values: series.values },
        {
          detector,
          sensitivity: opts.sensitivity,
          model,
          trained: trainedRef(model),
          options: { causal: opts.causal },
        },
      );
      for (const note of notes(file, result)) io.stderr.write(`trafficlens: ${note}\n`);
      const rows = opts.grid ? gridRows(result) : inputRows(result, series.timestamps);
      if (opts.format === 'json') {
        const { states: _states, ...contract } = rows;
        io.stdout.write(JSON.stringify(contract) + '\n');
      } else {
        io.stdout.write(formatScoreCsv(rows));
      }
    });
}

/** Why the scores may not be what the user expects; the scores are printed all the same (exit 0). */
function notes(file: string, result: SeriesScore): string[] {
  const fallback = result.model.fallback;
  if (fallback) {
    return [
      `--detector ${fallback.from} needs a trained model and none was given (--model): these are ${result.detector}'s scores, and the state is "learning". Train one with \`trafficlens train ${file} --detector ${fallback.from} --out models\`, then score with \`--model models/<id>\`.`,
    ];
  }
  if (result.state === 'learning') {
    const points = result.values.filter((v) => v !== null).length;
    return [
      `${file}: the series is still learning: ${points} points, detector ${result.detector} needs ${result.model.learningPoints} before it scores; every score is 0 (state "learning").`,
    ];
  }
  return [];
}
