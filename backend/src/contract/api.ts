/**
 * API shapes beyond the score contract: request-level checks the contract cannot express per field,
 * errors, health and the detector catalogue. Like the contract, each is defined once and drives
 * validation, types and the OpenAPI document.
 */
import { z } from 'zod';
import { DetectorName, ScoreRequest, ScoreResponse } from './score.js';
import { Incident } from './incidents.js';

/** ScoreRequest plus the cross-field rule that each series' timestamps and values pair up. */
export const ScoreRequestBody = ScoreRequest.superRefine((request, ctx) => {
  request.series.forEach((series, index) => {
    if (series.timestamps.length !== series.values.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['series', index],
        message: `timestamps has ${series.timestamps.length} points but values has ${series.values.length}; they must pair up`,
      });
    }
  });
});

/** The score contract's answer, with the incidents across its series when the request gave `groups`. */
export const ScoreResponseBody = ScoreResponse.extend({
  incidents: z
    .array(Incident)
    .optional()
    .describe(
      'with groups in the request: co-anomalous series of one group told as one incident (members, probable origin, worst severity), the open ones first, then the newest first; absent without groups',
    ),
});
export type ScoreResponseBody = z.infer<typeof ScoreResponseBody>;

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, e.g. invalid_request, payload_too_large'),
      message: z.string().describe('what went wrong, naming the field or limit'),
      details: z.array(
        z.object({
          path: z.string().describe('field path such as series[0].values; empty for the whole body'),
          message: z.string(),
        }),
      ),
      requestId: z.string().optional().describe('the X-Request-Id of the request, to find it in the logs'),
    }),
  })
  .describe('every non-2xx JSON answer of the API');
export type ErrorResponse = z.infer<typeof ErrorResponse>;

export const JobStateHealth = z
  .object({
    state: z
      .enum(['ok', 'unusable', 'failing'])
      .describe(
        'ok: snapshots are written; unusable: the state folder cannot be used and jobs run without persistence; failing: the last write failed',
      ),
    problem: z.string().nullable().describe('why, e.g. "read-only file system (EROFS)"'),
    lastSnapshotAt: z.string().nullable().describe('when the newest job state snapshot was written'),
  })
  .describe("persistence of the continuous jobs' state across restarts (docs/jobs.md)");
export type JobStateHealth = z.infer<typeof JobStateHealth>;

export const HealthResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeSeconds: z.number().min(0),
  tfjsBackend: z
    .string()
    .nullable()
    .describe('TensorFlow.js backend in use (tensorflow, wasm, cpu); null until a TF.js detector loaded'),
  jobState: JobStateHealth.optional(),
  models: z
    .object({
      state: z
        .enum(['ready', 'read_only', 'unavailable'])
        .describe(
          'ready: models load, train and delete; read_only: they load and score, training and deleting answer 503; unavailable: the models directory cannot be used (no models; statistical scoring unaffected)',
        ),
      problem: z.string().nullable().describe('why it is not ready (errno and meaning); null when ready'),
    })
    .optional()
    .describe('the models directory (absent when the service runs without the models API)'),
  store: z
    .object({
      state: z
        .enum(['ready', 'unavailable'])
        .describe(
          'ready: maintenance windows are read and written; unavailable: the store file cannot be opened (the windows API answers 503 naming it; scoring unaffected)',
        ),
      problem: z.string().nullable().describe('why it is unavailable; null when ready'),
    })
    .optional()
    .describe('the operator store (maintenance windows; absent when the service runs without it)'),
  shard: z
    .object({
      index: z.number().int().min(0).describe("this replica's 0-based shard"),
      count: z.number().int().min(1).describe('replicas the series are spread over'),
    })
    .optional()
    .describe(
      "this replica's share of the continuous jobs' series (TRAFFICLENS_SHARD, or the StatefulSet ordinal with TRAFFICLENS_SHARDS); absent: it scores all of them",
    ),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

export const ReadyResponse = z.object({
  status: z.enum(['ready', 'starting', 'shutting_down']),
  checks: z.object({
    scoringPool: z.enum(['up', 'starting', 'down', 'inline']),
  }),
});
export type ReadyResponse = z.infer<typeof ReadyResponse>;

export const JsonSchemaObject = z.record(z.string(), z.unknown()).describe('a JSON Schema (draft 2020-12)');

export const DetectorInfo = z.object({
  name: DetectorName,
  description: z.string(),
  default: z.boolean().describe('used when a request names no detector'),
  parameters: z.object({
    sensitivity: JsonSchemaObject,
    options: JsonSchemaObject,
  }),
});

export const DetectorsResponse = z.object({ detectors: z.array(DetectorInfo) });
export type DetectorsResponse = z.infer<typeof DetectorsResponse>;
