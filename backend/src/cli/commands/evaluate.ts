/**
 * trafficlens evaluate FILE.csv --labels FILE: scores the series (causally by default, as streaming
 * does) and compares the flags and scores with the labels: precision, recall, F1, ROC-AUC and the
 * point-adjusted F1 with a detection delay (lab/evaluation/detectionMetrics.ts).
 */
import type { DetectorName } from '../../contract/score.js';
import { scoreSeries } from '../../engine/index.js';
import { loadModel, trainedRef } from '../models.js';
import { evaluateDetection } from '../../lab/evaluation/detectionMetrics.js';
import { CliError } from '../errors.js';
import { readSeriesCsv } from '../input.js';
import type { CliIO } from '../io.js';
import { labelPoints, readLabels } from '../labels.js';
import { detectorOption, sensitivityOption } from '../options.js';
import { InvalidArgumentError, type Command } from 'commander';

interface EvaluateOptions {
  labels: string;
  detector: DetectorName;
  sensitivity: number;
  model?: string;
  delay: number;
  batch: boolean;
  format: 'text' | 'json';
}

function parseDelay(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 1_000_000) throw new InvalidArgumentError('expected an integer ≥ 0.');
  return n;
}

const fmt = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(3));

export function registerEvaluateCommand(program: Command, io: CliIO): void {
  program
    .command('evaluate')
    .description('score a series and compare with labels: precision, recall, F1, ROC-AUC, point-adjusted F1')
    .argument('<file>', 'CSV with a header line and columns timestamp,value')
    .requiredOption('--labels <file>', 'labelled anomalous ranges: CSV start,end, JSON, or NAB label files')
    .addOption(detectorOption())
    .addOption(sensitivityOption())
    .option('--model <dir>', 'a trained model folder (from trafficlens train): its newest version scores')
    .option(
      '--delay <k>',
      'point adjustment: a segment counts as detected if flagged within its first k+1 points',
      parseDelay,
      7,
    )
    .option('--batch', 'score as a dashboard request (the whole range), not causally', false)
    .option('-f, --format <format>', 'text or json', 'text')
    .action(async (file: string, opts: EvaluateOptions, command: Command) => {
      if (opts.format !== 'text' && opts.format !== 'json')
        throw new CliError('--format must be text or json', 2);
      const series = await readSeriesCsv(file);
      const ranges = await readLabels(opts.labels, file);
      const model = opts.model ? await loadModel(opts.model) : null;
      // With a model and no --detector, the model's detector scores.
      const detector =
        model && command.getOptionValueSource('detector') === 'default'
          ? model.metadata.detector
          : opts.detector;
      const result = scoreSeries(
        { timestamps: series.timestamps, values: series.values },
        {
          detector,
          sensitivity: opts.sensitivity,
          model,
          trained: trainedRef(model),
          options: { causal: !opts.batch },
        },
      );
      const labels = labelPoints(result.timestamps, ranges);
      const m = evaluateDetection(result.score, result.anomaly, labels, opts.delay);
      const what = {
        file,
        detector: result.detector,
        model: model ? `${model.metadata.id} v${model.metadata.version}` : null,
        fallback: result.model.fallback ?? null,
        sensitivity: opts.sensitivity,
        causal: !opts.batch,
      };
      if (opts.format === 'json') {
        io.stdout.write(JSON.stringify({ ...what, ...m }) + '\n');
        return;
      }
      io.stdout.write(
        [
          `${file}: ${m.points} points, ${m.labelled} labelled in ${m.segments} segment(s); detector ${result.detector}` +
            (what.model ? ` (model ${what.model})` : '') +
            `, sensitivity ${opts.sensitivity}, ${what.causal ? 'causal' : 'batch'}`,
          ...(what.fallback ? [`note: ${what.fallback.reason}`] : []),
          `flagged      ${m.flagged} points (tp ${m.confusion.tp}, fp ${m.confusion.fp}, fn ${m.confusion.fn})`,
          `precision    ${fmt(m.precision)}`,
          `recall       ${fmt(m.recall)}`,
          `F1           ${fmt(m.f1)}`,
          `ROC-AUC      ${fmt(m.rocAuc)}`,
          `point-adjusted (delay k=${m.delay}): F1 ${fmt(m.pointAdjusted.f1)}, precision ${fmt(m.pointAdjusted.precision)}, recall ${fmt(m.pointAdjusted.recall)}; ${m.segmentsDetected}/${m.segments} segments detected`,
          '',
        ].join('\n'),
      );
    });
}
