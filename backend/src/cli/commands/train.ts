/**
 * trafficlens train FILE.csv --detector D [--labels FILE] --out DIR: trains a neural detector's model
 * in-process and writes it as the next version of <DIR>/<id>/, the layout the service reads (so
 * TRAFFICLENS_MODELS_DIR=DIR serves it as `model: id`).
 */
import { basename } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { pino } from 'pino';
import { ModelId, NEURAL_DETECTORS, type NeuralDetector, type TrainOptions } from '../../contract/models.js';
import { ModelRegistry } from '../../models/registry.js';
import { createInlineTrainer } from '../../models/trainer.js';
import { CliError } from '../errors.js';
import { readSeriesCsv } from '../input.js';
import type { CliIO } from '../io.js';
import { readLabels } from '../labels.js';

interface TrainCliOptions {
  detector: NeuralDetector;
  labels?: string;
  out: string;
  id?: string;
  window?: number;
  epochs?: number;
}

export function positiveInt(max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < 1 || n > max) {
      throw new InvalidArgumentError(`expected an integer from 1 to ${max}.`);
    }
    return n;
  };
}

function parseId(text: string): string {
  const r = ModelId.safeParse(text);
  if (!r.success) throw new InvalidArgumentError(`${r.error.issues[0].message}.`);
  return r.data;
}

export function registerTrainCommand(program: Command, io: CliIO): void {
  program
    .command('train')
    .description('train a neural detector (autoencoder, lstm, classifier) on one series and save the model')
    .argument('<file>', 'CSV with a header line and columns timestamp,value')
    .addOption(
      new Option('-d, --detector <name>', 'neural detector').choices(NEURAL_DETECTORS).makeOptionMandatory(),
    )
    .option(
      '--labels <file>',
      'labelled anomalous ranges (required by the classifier): CSV start,end, JSON, or NAB label files',
    )
    .requiredOption('-o, --out <dir>', 'models directory; the model is written to <dir>/<id>/v<next version>')
    .option('--id <id>', 'model id (default: the file name); an existing id gets its next version', parseId)
    .option('--window <points>', 'points per window (default per detector)', positiveInt(512))
    .option('--epochs <n>', 'training epochs (default per detector)', positiveInt(500))
    .action(async (file: string, opts: TrainCliOptions) => {
      const series = await readSeriesCsv(file);
      const options: TrainOptions = {};
      if (opts.window !== undefined) options.window = opts.window;
      if (opts.epochs !== undefined) options.epochs = opts.epochs;
      if (opts.labels !== undefined) options.labels = await readLabels(opts.labels, file);
      const id =
        opts.id ??
        parseIdOr(
          basename(file)
            .replace(/\.[^.]*$/, '')
            .toLowerCase()
            .replace(/[^a-z0-9._-]+/g, '-')
            .replace(/^[^a-z0-9]+/, ''),
        );
      const registry = new ModelRegistry({
        dir: opts.out,
        trainer: createInlineTrainer(),
        logger: pino({ level: 'silent' }),
        version: 'cli',
      });
      await registry.load();
      const started = registry.startTraining({
        id,
        detector: opts.detector,
        series: { timestamps: series.timestamps, values: series.values },
        options,
      });
      await registry.settled(id);
      const status = registry.get(id);
      if (!status || status.training?.state !== 'done' || !status.metadata) {
        throw new CliError(`training ${id} failed: ${status?.training?.error ?? 'unknown error'}`);
      }
      const m = status.metadata;
      io.stdout.write(
        [
          `trained ${id} v${started.version} (${m.detector}) on ${m.training.points} points (${m.training.windows} windows, window ${m.features.window}${m.features.period ? `, period ${m.features.period}` : ''}) in ${(m.training.durationMs / 1000).toFixed(1)} s on the TensorFlow.js ${m.tfjs.backend} backend`,
          `loss ${m.metrics.loss.toPrecision(4)}${m.metrics.valLoss !== null ? `, validation loss ${m.metrics.valLoss.toPrecision(4)}` : ''}`,
          `written to ${registry.dir}/${id}/v${started.version}`,
          `use it: trafficlens evaluate ${file} --labels LABELS --model ${registry.dir}/${id}`,
          `   or: TRAFFICLENS_MODELS_DIR=${registry.dir} npm start, then POST /api/v1/score with "model": "${id}"`,
          '',
        ].join('\n'),
      );
    });
}

function parseIdOr(text: string): string {
  const r = ModelId.safeParse(text);
  if (!r.success) throw new CliError(`cannot make a model id from the file name; pass --id`);
  return r.data;
}
