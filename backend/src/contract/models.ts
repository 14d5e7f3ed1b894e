/**
 * The model lifecycle's contract: what a trained model records about itself (metadata.json beside its
 * weights), the training request and the model API's answers. One zod schema each, as for scoring.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { PromQLExpr, QueryStep, QueryTime } from './query.js';
import { EpochMs, Labels, SeriesInput } from './score.js';
import { Sensitivity } from './sensitivity.js';

export const NEURAL_DETECTORS = ['autoencoder', 'lstm', 'classifier'] as const;
export const NeuralDetector = z.enum(NEURAL_DETECTORS);
export type NeuralDetector = z.infer<typeof NeuralDetector>;

export const MODEL_FORMAT_VERSION = 1;

/** A model id: used as a folder name, so deliberately plain. */
export const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected 1–64 characters: a-z, 0-9, ".", "_", "-" (not first)');

/** A labelled anomalous range, inclusive, epoch milliseconds. */
export const LabelRange = z.object({ start: EpochMs, end: EpochMs }).strict();
export type LabelRange = z.infer<typeof LabelRange>;

export const FeatureParams = z.object({
  window: z.number().int().min(2).describe('points per sliding window'),
  center: z.number().describe('normalization: value subtracted (median of the training data)'),
  scale: z.number().positive().describe('normalization: divisor (robust σ of the training data)'),
  clip: z.number().positive().describe('normalized inputs are clipped to ±clip'),
  period: z.number().int().nullable().describe('seasonal period in points found in the training data'),
  stepMs: z.number().positive().describe('step of the training series'),
  phase: z.boolean().describe('whether sin/cos of the seasonal phase are input features'),
  inputShape: z.array(z.number().int().positive()),
});
export type FeatureParams = z.infer<typeof FeatureParams>;

/** The learned error distribution that deviations are measured against (normalized units). */
export const ModelCalibration = z.object({
  median: z.number(),
  sigma: z.number().positive(),
  /** Autoencoder only: the whole-window reconstruction error's distribution. */
  windowMedian: z.number().optional(),
  windowSigma: z.number().positive().optional(),
});
export type ModelCalibration = z.infer<typeof ModelCalibration>;

/**
 * Where a model's training data came from, kept in its metadata so a retrain can fetch it again
 * (POST /api/v1/models with the id alone). Inline data is not kept: its sha256 is in `training`.
 */
export const ModelSource = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('prometheus'),
    expr: z.string(),
    start: z.number().describe('epoch ms of the range fetched'),
    end: z.number(),
    stepMs: z.number().positive(),
    windowMs: z
      .number()
      .positive()
      .nullable()
      .describe(
        'set when the range was a window ending at the time of the request: a retrain fetches the window before its own time',
      ),
    labels: Labels.describe('labels of the series the expression returned'),
  }),
  z.object({
    type: z.literal('job'),
    job: z.string().describe('the continuous job that trained it, from its fit window'),
    labels: Labels.describe("the series' labels"),
    start: z.number().describe('epoch ms of the first point of the fit window'),
    end: z.number(),
    stepMs: z.number().positive(),
    fitWindowMs: z.number().positive(),
  }),
]);
export type ModelSource = z.infer<typeof ModelSource>;

export const ModelMetadata = z.object({
  format: z.literal('trafficlens-model'),
  formatVersion: z.literal(MODEL_FORMAT_VERSION),
  id: ModelId,
  version: z.number().int().min(1),
  detector: NeuralDetector,
  createdAt: z.string(),
  trafficlensVersion: z.string(),
  training: z.object({
    from: z.number().describe('first timestamp of the training data'),
    to: z.number().describe('last timestamp of the training data'),
    points: z.number().int(),
    windows: z.number().int(),
    dataHash: z.string().describe('sha256 of the training timestamps and values'),
    epochs: z.number().int(),
    labelRanges: z.number().int().describe('labelled ranges given (classifier)'),
    positives: z.number().int().describe('training windows labelled anomalous'),
    durationMs: z.number(),
  }),
  features: FeatureParams,
  calibration: ModelCalibration,
  metrics: z.object({
    loss: z.number().describe('final training loss'),
    valLoss: z.number().nullable().describe('final validation loss (last 10 % of windows), null if too few'),
  }),
  source: ModelSource.nullable()
    .default(null)
    .describe('where the training data came from; null for data posted inline'),
  tfjs: z.object({ backend: z.string(), version: z.string() }),
  weights: z.object({ sha256: z.string(), bytes: z.number().int() }),
});
export type ModelMetadata = z.infer<typeof ModelMetadata>;

export const TrainOptions = z
  .object({
    window: z.number().int().min(4).max(512).optional().describe('points per window (default per detector)'),
    epochs: z.number().int().min(1).max(500).optional().describe('training epochs (default per detector)'),
    sensitivity: Sensitivity.optional().describe('default sensitivity recorded with the model'),
    labels: z
      .array(LabelRange)
      .max(10000)
      .optional()
      .describe('anomalous ranges (classifier: required, with both classes present)'),
  })
  .strict();
export type TrainOptions = z.infer<typeof TrainOptions>;

/** A training window given as a duration ("7d"), ending at the time of the request. Output: ms. */
const Window = z
  .string()
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null || ms <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration such as 6h, 3d or 1w, got ${JSON.stringify(value.slice(0, 64))}`,
      });
      return z.NEVER;
    }
    return ms;
  })
  .describe('a duration (6h, 3d, 1w): the range is the window before the time of the request');

export const PrometheusTrainingSource = z
  .object({
    type: z.literal('prometheus'),
    expr: PromQLExpr.describe(
      "PromQL expression run as a range query on the scorer's Prometheus; it must return exactly one series",
    ),
    start: QueryTime.optional().describe('with end: the range to fetch'),
    end: QueryTime.optional().describe('with start: the range to fetch'),
    window: Window.optional(),
    step: QueryStep,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.window !== undefined) {
      for (const key of ['start', 'end'] as const) {
        if (s[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'give either window or start and end, not both',
          });
        }
      }
      return;
    }
    if (s.start === undefined || s.end === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [s.start === undefined ? 'start' : 'end'],
        message: 'give start and end, or a window (e.g. "7d")',
      });
    } else if (s.end <= s.start) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    }
  })
  .describe('training data fetched from the Prometheus the scorer is configured with');
export type PrometheusTrainingSource = z.output<typeof PrometheusTrainingSource>;

export const TrainModelRequest = z
  .object({
    id: ModelId.optional().describe('model id; an existing id is retrained as its next version'),
    detector: NeuralDetector,
    series: SeriesInput.optional().describe('the training data, inline'),
    source: PrometheusTrainingSource.optional().describe('instead of series: fetch the training data'),
    options: TrainOptions.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.series !== undefined && r.source !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'give either series or source, not both' });
    } else if (r.series === undefined && r.source === undefined && r.id === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['series'],
        message:
          'give series (inline data), source (a PromQL query), or the id of a model trained from a source to fetch it again',
      });
    }
  })
  .describe(
    'Train a model. The data is inline (series), fetched from Prometheus (source), or, with only an id, ' +
      'fetched again from the source the model was last trained from.',
  );
export type TrainModelRequest = z.output<typeof TrainModelRequest>;

/** What the registry trains: the request with its data resolved. */
export interface TrainSpec {
  id?: string;
  detector: NeuralDetector;
  series: SeriesInput;
  options?: TrainOptions;
  source?: ModelSource | null;
}

export const ModelState = z.enum(['training', 'ready', 'failed', 'quarantined']);
export type ModelState = z.infer<typeof ModelState>;

export const TrainingProgress = z.object({
  state: z.enum(['queued', 'training', 'done', 'failed']),
  epoch: z.number().int(),
  epochs: z.number().int(),
  loss: z.number().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type TrainingProgress = z.infer<typeof TrainingProgress>;

export const ModelStatus = z.object({
  id: ModelId,
  detector: NeuralDetector,
  state: ModelState.describe(
    'ready: a version scores; training: none ready yet; failed: training failed and none is ready; quarantined: its files were corrupt',
  ),
  version: z.number().int().nullable().describe('the version that scores (null while none is ready)'),
  versions: z.array(z.number().int()).describe('versions on disk'),
  training: TrainingProgress.nullable().describe('the latest training job, while the service runs'),
  metadata: ModelMetadata.nullable(),
  problem: z.string().nullable().describe('why the model was quarantined or training failed'),
});
export type ModelStatus = z.infer<typeof ModelStatus>;

export const ModelsListResponse = z.object({
  models: z.array(ModelStatus),
  directory: z
    .string()
    .describe("the models folder's name (not its path, which the service's start log line gives)"),
});
export type ModelsListResponse = z.infer<typeof ModelsListResponse>;

export const TrainModelResponse = z.object({
  id: ModelId,
  version: z.number().int().describe('the version this job will write'),
  status: z.string().describe('URL to poll for progress'),
  training: TrainingProgress,
});
export type TrainModelResponse = z.infer<typeof TrainModelResponse>;

/** The path parameter of the routes about one model (any string: an unknown id is a 404). */
export const ModelPathParams = z.object({ id: z.string().describe('model id') });

/** Component schemas of the models API, by the id /openapi.json gives them: accepted, then produced. */
export const MODELS_INPUT_COMPONENTS: [z.ZodType, string][] = [[TrainModelRequest, 'TrainModelRequest']];
export const MODELS_COMPONENTS: [z.ZodType, string][] = [
  [TrainModelResponse, 'TrainModelResponse'],
  [ModelsListResponse, 'ModelsListResponse'],
  [ModelStatus, 'ModelStatus'],
  [ModelMetadata, 'ModelMetadata'],
  [TrainingProgress, 'TrainingProgress'],
];
