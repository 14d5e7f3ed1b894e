/** trafficlens nab: run a detector causally over the NAB corpus, write NAB results, print the scores. */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { DetectorName } from '../../contract/score.js';
import { nabAnomalyScores, type ScoreParams } from '../../engine/index.js';
import { NEURAL_DETECTORS, type NeuralDetector } from '../../contract/models.js';
import { trainModel } from '../../models/train.js';
import type { NabDetectorFn } from '../../nab/index.js';
import { CliError, EXIT_USAGE } from '../errors.js';
import { runNab } from '../../nab/index.js';
import { formatNabReport } from '../format.js';
import type { CliIO } from '../io.js';
import { detectorOption, sensitivityOption } from '../options.js';
import { resolveNabRoot } from '../paths.js';
import { createProgress } from '../progress.js';

interface NabOptions {
  data?: string;
  detector: DetectorName;
  sensitivity: number;
  out: string;
  files?: string;
  name?: string;
  withModel?: NeuralDetector;
}

export function registerNabCommand(program: Command, io: CliIO): void {
  program
    .command('nab')
    .description('run a detector over the NAB v1.1 corpus (causally) and score it')
    .option('--data <dir>', 'NAB root (default: ../shared/datasets/nab next to the repository)')
    .addOption(detectorOption())
    .addOption(sensitivityOption())
    .requiredOption('-o, --out <dir>', 'write NAB results to <dir>/<name>/<category>/<name>_<file>.csv')
    .option('--files <substring>', 'only corpus files whose path contains <substring> (not a corpus score)')
    .option('--name <name>', 'detector name for the results folder and files (default: the detector)')
    .addOption(
      new Option(
        '--with-model <detector>',
        'auto only: add a model of this neural detector, trained per file on its prefix',
      ).choices(['autoencoder', 'lstm']),
    )
    .action(async (opts: NabOptions) => {
      const root = resolveNabRoot(opts.data);
      const name = opts.name ?? opts.detector;
      const params = { detector: opts.detector, sensitivity: opts.sensitivity, options: { causal: true } };
      if (opts.withModel && opts.detector !== 'auto') {
        throw new CliError('--with-model goes with --detector auto', EXIT_USAGE);
      }
      const trained =
        opts.withModel ??
        ((NEURAL_DETECTORS as readonly string[]).includes(opts.detector)
          ? (opts.detector as NeuralDetector)
          : null);
      const neural = trained !== null;
      if (opts.detector === 'classifier') {
        throw new CliError(
          'the classifier needs labels; NAB scores detectors that see no labels, so it is not run on NAB (evaluate it with trafficlens evaluate)',
          EXIT_USAGE,
        );
      }
      const progress = createProgress(io.stderr);
      let run;
      try {
        run = await runNab(
          root,
          trained
            ? nabNeural(params, trained)
            : (timestamps, values) => nabAnomalyScores(timestamps, values, params),
          {
            detectorName: name,
            outDir: resolve(opts.out),
            files: opts.files,
            meta: {
              engineDetector: opts.detector,
              ...(opts.withModel ? { withModel: opts.withModel } : {}),
              sensitivity: opts.sensitivity,
              causal: true,
              ...(neural
                ? { training: 'each file: a model trained on its probationary prefix (first 15 %) only' }
                : {}),
            },
            onFileStart: (p) => progress.start(p.index, p.total, p.file.relPath),
            onFileDone: (p) => progress.done(p.index, p.total, p.file.relPath, p.elapsedMs),
          },
        );
      } finally {
        progress.stop();
      }
      const notes = [
        `results: ${run.resultsDir}`,
        `scores:  ${run.scoresPath}`,
        `time:    ${(run.elapsedMs / 1000).toFixed(1)} s`,
      ];
      if (run.filtered) {
        notes.unshift(
          `note: --files "${opts.files}" selected ${run.corpus.files.length} of ${run.totalFiles} files; this is not a NAB corpus score.`,
        );
      }
      io.stdout.write(
        formatNabReport(run.result, {
          title: `NAB v1.1: ${name} (detector ${opts.detector}, sensitivity ${opts.sensitivity}, causal)`,
          notes: ['', ...notes],
        }),
      );
    });
}

/**
 * A neural detector on NAB, causally: each file's model is trained on the file's probationary prefix
 * (the first 15 %, which NAB does not score) and then scores the whole file point by point (alone, or
 * inside auto with --with-model).
 */
function nabNeural(params: ScoreParams, detector: NeuralDetector): NabDetectorFn {
  return async (timestamps, values, file) => {
    const n = file.probationLength;
    const { bundle } = await trainModel({
      id: 'nab',
      version: 1,
      detector,
      series: { timestamps: timestamps.slice(0, n), values: values.slice(0, n) },
    });
    return nabAnomalyScores(timestamps, values, { ...params, model: bundle });
  };
}
