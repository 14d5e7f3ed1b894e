/** trafficlens nab: run a detector causally over the NAB corpus, write NAB results, print the scores. */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { DetectorName } from '../../contract/score.js';
import type { ScoreParams } from '../../engine/index.js';
import { NEURAL_DETECTORS, type NeuralDetector } from '../../contract/models.js';
import { trainModel } from '../../models/train.js';
import type { NabDetectorFn } from '../../lab/nab/index.js';
import {
  CROSS_TRAIN_SCHEMES,
  crossTrain,
  crossTrainFolds,
  type CrossTrainScheme,
} from '../../lab/nab/crossTrain.js';
import { filterNabCorpus, loadNabCorpus } from '../../lab/nab/corpus.js';
import { scoreNab } from '../../lab/nab/corpusScore.js';
import { NabEvaluation, formatNabEvaluation } from '../../lab/nab/evaluate.js';
import { CliError, EXIT_USAGE } from '../errors.js';
import { runNab, type NabRunResult } from '../../lab/nab/index.js';
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
  crossTrain?: CrossTrainScheme;
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
    .addOption(
      new Option(
        '--cross-train <scheme>',
        'classifier only: train on the labels of the other files (halves: alternate files, two models; categories: leave one category out) and score each file causally',
      ).choices(CROSS_TRAIN_SCHEMES),
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
      if ((opts.detector === 'classifier') !== (opts.crossTrain !== undefined)) {
        throw new CliError(
          opts.crossTrain
            ? '--cross-train goes with --detector classifier'
            : 'the classifier needs labels, and NAB must not score a file with a model trained on its own labels: pass --cross-train halves (or categories)',
          EXIT_USAGE,
        );
      }
      if (opts.crossTrain) {
        await runCrossTrained(io, root, name, opts.crossTrain, opts);
        return;
      }
      const progress = createProgress(io.stderr);
      const evaluation = new NabEvaluation();
      let run;
      try {
        run = await runNab(
          root,
          trained
            ? nabNeural(params, trained, evaluation)
            : (timestamps, values, file) => evaluation.score(timestamps, values, file, params),
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
              // A getter: scores.json is written after the last file, when the metrics cover every file.
              get evaluate() {
                return evaluation.metrics();
              },
            },
            onFileStart: (p) => progress.start(p.index, p.total, p.file.relPath),
            onFileDone: (p) => progress.done(p.index, p.total, p.file.relPath, p.elapsedMs),
          },
        );
      } finally {
        progress.stop();
      }
      const notes = [
        ...(run.filtered ? [] : splitHalfLines(run)),
        ...formatNabEvaluation(evaluation.metrics()),
        '',
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

/** The classifier on NAB, each file scored by a model trained on other files' labels (lab/nab/crossTrain.ts). */
async function runCrossTrained(
  io: CliIO,
  root: string,
  name: string,
  scheme: CrossTrainScheme,
  opts: NabOptions,
): Promise<void> {
  const full = await loadNabCorpus(root);
  const files = (opts.files === undefined ? full : filterNabCorpus(full, opts.files)).files;
  const log = (line: string) => io.stderr.write(line + '\n');
  const trained = await crossTrain(
    files,
    scheme,
    { sensitivity: opts.sensitivity },
    {
      onFoldStart: (f, i, n) =>
        log(`[fold ${i}/${n}] ${f.name}: training on ${f.train.length} files, scoring ${f.score.length}`),
      onEpoch: (f, e, n, loss) => log(`[fold ${f.name}] epoch ${e}/${n}, loss ${loss.toFixed(4)}`),
      onFoldDone: (f, m) =>
        log(
          `[fold ${f.name}] trained on ${m.windows} windows (${m.positives} labelled) in ${(m.durationMs / 1000).toFixed(1)} s`,
        ),
    },
  );
  const progress = createProgress(io.stderr);
  let run;
  try {
    run = await runNab(full, trained.detector, {
      detectorName: name,
      outDir: resolve(opts.out),
      files: opts.files,
      meta: {
        engineDetector: 'classifier',
        sensitivity: opts.sensitivity,
        causal: true,
        training: `cross-trained (${scheme}): each file scored by a classifier trained on the labelled windows of other files only; normalization from the file's probationary prefix`,
        folds: trained.folds,
        // A getter: scores.json is written after the last file, when the metrics cover every file.
        get evaluate() {
          return trained.metrics();
        },
      },
      onFileStart: (p) => progress.start(p.index, p.total, p.file.relPath),
      onFileDone: (p) => progress.done(p.index, p.total, p.file.relPath, p.elapsedMs),
    });
  } finally {
    progress.stop();
  }
  const m = trained.metrics();
  const f3 = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));
  const f2 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
  // Each fold on its own (a half is scored by one model): how much the number varies between them.
  const perFold = trained.folds.map((f) => {
    const scored = new Set(f.scored);
    const part = scoreNab(
      { ...run.corpus, files: run.corpus.files.filter((x) => scored.has(x.relPath)) },
      run.scoresByFile,
    );
    const fm = trained.metrics(7, f.scored);
    const p = part.profiles;
    return `  ${f.name}: ${f.scored.length} files, NAB ${f2(p.standard.score)} / ${f2(p.reward_low_FP_rate.score)} / ${f2(p.reward_low_FN_rate.score)}, ROC-AUC ${f3(fm.rocAuc)}, point-adjusted F1 ${f3(fm.pointAdjusted.f1)}`;
  });
  const notes = [
    'per fold (NAB standard / low FP / low FN, threshold optimised on the fold):',
    ...perFold,
    '',
    ...formatNabEvaluation(m),
    '',
    `results: ${run.resultsDir}`,
    `scores:  ${run.scoresPath}`,
    `time:    ${(run.elapsedMs / 1000).toFixed(1)} s scoring, ${(trained.folds.reduce((a, f) => a + f.ms, 0) / 1000).toFixed(1)} s training`,
  ];
  if (run.filtered) {
    notes.unshift(
      `note: --files "${opts.files}" selected ${run.corpus.files.length} of ${run.totalFiles} files; this is not a NAB corpus score.`,
    );
  }
  io.stdout.write(
    formatNabReport(run.result, {
      title: `NAB v1.1: ${name} (detector classifier, cross-trained: ${scheme}, sensitivity ${opts.sensitivity}, causal)`,
      notes: ['', ...notes],
    }),
  );
}

/**
 * A neural detector on NAB, causally: each file's model is trained on the file's probationary prefix
 * (the first 15 %, which NAB does not score) and then scores the whole file point by point (alone, or
 * inside auto with --with-model).
 */
function nabNeural(params: ScoreParams, detector: NeuralDetector, evaluation: NabEvaluation): NabDetectorFn {
  return async (timestamps, values, file) => {
    const n = file.probationLength;
    const { bundle } = await trainModel({
      id: 'nab',
      version: 1,
      detector,
      series: { timestamps: timestamps.slice(0, n), values: values.slice(0, n) },
    });
    return evaluation.score(timestamps, values, file, { ...params, model: bundle });
  };
}

/**
 * NAB on each half of the corpus (files sorted by path, alternately in A and B, as crossTrainFolds
 * splits them; the threshold optimised on each half): a tuned constant is kept only when both improve.
 */
function splitHalfLines(run: NabRunResult): string[] {
  const f2 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
  const halves = crossTrainFolds(run.corpus.files, 'halves').map((fold, i) => {
    const p = scoreNab({ ...run.corpus, files: fold.score }, run.scoresByFile).profiles;
    return `  half ${i === 0 ? 'A' : 'B'}: ${fold.score.length} files, ${f2(p.standard.score)} / ${f2(p.reward_low_FP_rate.score)} / ${f2(p.reward_low_FN_rate.score)}`;
  });
  return [
    'split halves (standard / low FP / low FN; files sorted by path, alternately A and B):',
    ...halves,
    '',
  ];
}
