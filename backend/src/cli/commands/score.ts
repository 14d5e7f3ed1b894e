/** trafficlens score FILE.csv: score one series and print it as CSV or as the contract's JSON. */
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import type { DetectorName } from '../../contract/score.js';
import { scoreSeries } from '../../engine/index.js';
import { formatScoreCsv } from '../format.js';
import { readSeriesCsv } from '../input.js';
import type { CliIO } from '../io.js';
import { detectorOption, sensitivityOption } from '../options.js';
import { loadModel, trainedRef } from '../models.js';

interface ScoreOptions {
  detector: DetectorName;
  sensitivity: number;
  causal: boolean;
  format: 'csv' | 'json';
  model?: string;
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
      io.stdout.write(opts.format === 'json' ? JSON.stringify(result) + '\n' : formatScoreCsv(result));
    });
}
