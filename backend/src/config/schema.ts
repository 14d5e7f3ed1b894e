/**
 * Service configuration: one zod schema keyed by the environment variable names, so every
 * validation error names the variable the operator has to fix. CLI flags map onto the same keys
 * (see FLAGS in load.ts) and win over the environment.
 */
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MAX_SHARDS, parseShard, shardFromPodName, type ShardConfig } from './shard.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Environment values are strings; accept real numbers too so tests and the CLI can pass them typed. */
function integer(min: number, max: number, fallback: number) {
  return z
    .union([z.string(), z.number()])
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      const text = String(raw).trim();
      const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `expected an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`,
        });
        return z.NEVER;
      }
      return value;
    });
}

/** Secrets come from the environment only (no flag: command lines are visible in `ps`); empty = unset. */
function optionalSecret() {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v));
}

function boolean<F extends boolean | undefined>(fallback: F) {
  return z
    .union([z.string(), z.boolean()])
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback as boolean | F;
      if (typeof raw === 'boolean') return raw;
      const text = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(text)) return true;
      if (['0', 'false', 'no', 'off'].includes(text)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    });
}

const HOST_NAME = /^(?:\*|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?|\[[0-9a-f:.]+\])$/;

/** Comma-separated host names (no port), lower-cased: `grafana.internal,10.0.0.5,[fd00::1]`, or `*`. */
function hostList() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const names = (raw ?? '')
        .split(',')
        .map((n) => n.trim().toLowerCase().replace(/\.$/, ''))
        .filter((n) => n !== '');
      const bad = names.find((n) => !HOST_NAME.test(n));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `expected host names without a port, comma-separated (an IPv6 address in brackets), got ${JSON.stringify(bad)}`,
        });
        return z.NEVER;
      }
      return names;
    });
}

/** A folder; relative paths are relative to the working directory, empty means the default. */
function directory(fallback: string) {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : resolve(v.trim())));
}

// The repository's build outputs: this module sits two levels below the backend package (src/config or
// dist/config), which sits at the repository root.
const BACKEND_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPO_ROOT = resolve(BACKEND_ROOT, '..');
export const DEFAULT_DEMO_DIR = resolve(REPO_ROOT, 'plugin/demo/dist');
export const DEFAULT_PANEL_DIR = resolve(REPO_ROOT, 'plugin/panel/dist');
/**
 * models/ inside the backend package (backend/models in the repository), wherever the service is
 * started from: `npm start` (which runs in backend/) and `node backend/dist/main.js` from the root use
 * the same models.
 */
export const DEFAULT_MODELS_DIR = resolve(BACKEND_ROOT, 'models');

/** state/ beside the models folder (backend/state in the repository by default). */
export function defaultStateDir(modelsDir: string): string {
  return join(dirname(modelsDir), 'state');
}

/**
 * One scoring worker per core; 0 disables the pool. The workers run at a lower CPU priority
 * (TRAFFICLENS_WORKER_NICE), so the event loop still gets a core when it needs one; with one core
 * left to it, a large POST /api/v1/score was scored by a single worker on 2 cores (issue 15).
 */
export const DEFAULT_WORKER_THREADS = availableParallelism();

export const MB = 1024 * 1024;

/**
 * 64 MiB: ~2.4 million samples, e.g. 830 series of a 2-day fit window at 1-minute steps, in one
 * request (ranges longer than 11,000 steps are split). Reading and parsing an answer takes about 3×
 * its size; the former 512 MiB let one answer take gigabytes.
 */
export const DEFAULT_PROMETHEUS_MAX_RESPONSE_BYTES = 64 * MB;

export const EnvConfig = z.object({
  PORT: integer(0, 65535, 8686).describe('TCP port; 0 picks a free one'),
  HOST: z
    .string()
    .trim()
    .min(1, 'expected a host name or address')
    .optional()
    .transform((v) => v ?? '127.0.0.1')
    .describe('listen address; loopback by default, HOST=0.0.0.0 exposes the service on every interface'),
  TRAFFICLENS_API_TOKEN: z
    .string()
    .optional()
    // An empty value (e.g. `TRAFFICLENS_API_TOKEN=${TOKEN:-}` in compose) means "no token".
    .transform((v) => (v === undefined || v === '' ? undefined : v))
    .refine((v) => v === undefined || v.length >= 16, 'expected at least 16 characters')
    .describe('when set (at least 16 characters), every /api/ route requires Authorization: Bearer <token>'),
  TRAFFICLENS_METRICS_AUTH: boolean(true).describe(
    'with a token set, /metrics needs it too (its gauges carry the series labels /api/v1/jobs protects); false leaves /metrics open to scrapers without credentials. No effect without a token',
  ),
  TRAFFICLENS_ALLOWED_HOSTS: hostList().describe(
    'extra host names the service answers to, comma-separated (any port). Bound to loopback it answers only to localhost, 127.0.0.1 and [::1] (against DNS rebinding); bound elsewhere, setting this turns the same check on. * answers to any Host',
  ),
  TRAFFICLENS_MAX_BODY_BYTES: integer(1024, 1024 * MB, 20 * MB).describe('largest request body'),
  TRAFFICLENS_MAX_POINTS_PER_SERIES: integer(1, 100_000_000, 200_000).describe('most points in one series'),
  TRAFFICLENS_MAX_SERIES: integer(1, 1_000_000, 1_000).describe('most series in one request'),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return 'info' as LogLevel;
      const level = v.trim().toLowerCase();
      if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
      ctx.addIssue({
        code: 'custom',
        message: `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    })
    .describe(`log level of the JSON log on stdout: ${LOG_LEVELS.join(', ')}`),
  TRAFFICLENS_WORKER_THREADS: integer(0, 256, DEFAULT_WORKER_THREADS).describe(
    'scoring worker threads; 0 scores every request on the main thread',
  ),
  TRAFFICLENS_WORKER_NICE: integer(0, 19, 10).describe(
    "how far below the main thread's the scoring worker threads' CPU priority is (nice increment, per thread on Linux), so under load HTTP, admission and /healthz get the CPU before scoring; training threads run at the lowest priority (19). 0 keeps every thread at the main thread's priority",
  ),
  TRAFFICLENS_INLINE_MAX_POINTS: integer(0, 100_000_000, 2_000).describe(
    'POST /api/v1/query: requests with at most this many points in total are scored on the main thread (~10 µs a point, so the default blocks the event loop for ~20 ms). POST /api/v1/score bodies always go to a worker, which parses them too',
  ),
  TRAFFICLENS_MAX_QUEUED_TASKS: integer(1, 1_000_000, 64).describe(
    'scoring tasks waiting for a worker before requests are refused with 503',
  ),
  TRAFFICLENS_SCORE_TIMEOUT_MS: integer(0, 3_600_000, 120_000).describe(
    'cancel pooled scoring of one request after this long (503); 0 never cancels',
  ),
  TRAFFICLENS_SHUTDOWN_TIMEOUT_MS: integer(0, 600_000, 10_000).describe(
    'how long shutdown waits for in-flight requests before closing their connections',
  ),
  TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT: integer(1, 100_000, 16).describe(
    'requests with a body admitted at once (bodiless requests, /healthz, /readyz and /metrics are never counted); beyond that 503 + Retry-After on the headers, before the body is read',
  ),
  TRAFFICLENS_MAX_BYTES_IN_FLIGHT: integer(1024, 16 * 1024 * MB, 8 * MB).describe(
    'declared request body bytes admitted at once (a chunked body counts as the body limit; one request is always admitted); beyond that 503 + Retry-After before the body is read',
  ),
  TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS: integer(0, 60_000, 40).describe(
    'a request read after the event loop has been busy this long without a break (a backlog of requests read one after another) is refused with 503 + Retry-After before its body is read; 0 turns the check off',
  ),
  TRAFFICLENS_HEADERS_TIMEOUT_MS: integer(1000, 600_000, 10_000).describe(
    'a client must send its request headers within this long, else 408 and the connection is closed',
  ),
  TRAFFICLENS_REQUEST_TIMEOUT_MS: integer(1000, 3_600_000, 30_000).describe(
    'a client must send its whole request, body included, within this long, else 408 and the connection is closed (with the body limit, this bounds a slow or never-ending body)',
  ),
  TRAFFICLENS_MAX_CONNECTIONS: integer(1, 1_000_000, 1_024).describe(
    'open client connections at once; further connections are closed as soon as they are accepted',
  ),
  TRAFFICLENS_SIMULATOR: boolean(undefined).describe(
    'run the embedded traffic simulator jobs (default: only when neither a Prometheus nor a jobs file is configured)',
  ),
  TRAFFICLENS_MODELS_DIR: directory(DEFAULT_MODELS_DIR).describe(
    'folder of trained models, created if missing (default: models/ in the backend package, wherever the service starts; a relative path is relative to the working directory)',
  ),
  TRAFFICLENS_STATE_DIR: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : resolve(v.trim())))
    .describe(
      "folder of the continuous jobs' state snapshots, created if missing; restored at start, so a restart scores only the gap. An unusable folder is logged and shown in /healthz, and jobs run without persistence",
    ),
  TRAFFICLENS_STATE_SNAPSHOT_INTERVAL_MS: integer(0, 86_400_000, 300_000).describe(
    "how often each job's state is snapshotted (after a run), besides at shutdown; after a kill -9 the points since the last snapshot are rescored. 0: only at shutdown",
  ),
  TRAFFICLENS_STORE_PATH: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : resolve(v.trim())))
    .describe(
      'the SQLite file of what operators tell the scorer (maintenance windows), created if missing (default: trafficlens.db in the state folder). When it cannot be opened or written, the windows API answers 503 naming it and the service keeps scoring',
    ),
  TRAFFICLENS_TRAINING_THREADS: integer(1, 64, 1).describe(
    'worker threads that train models (each keeps a core busy while it trains)',
  ),
  TRAFFICLENS_DEMO_DIR: directory(DEFAULT_DEMO_DIR).describe(
    'the demo page served at / (built by npm run build -w plugin/demo)',
  ),
  TRAFFICLENS_PANEL_DIR: directory(DEFAULT_PANEL_DIR).describe(
    'the built panel plugin the demo page loads (npm run build -w plugin/panel)',
  ),
  TRAFFICLENS_SHARD: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
    .describe(
      "this replica's share of the series, i/N (0-based index / replicas): it scores and exports only the series rendezvous hashing gives it",
    ),
  TRAFFICLENS_SHARDS: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
    .describe(
      'replicas of a StatefulSet: the shard index is the ordinal of TRAFFICLENS_POD_NAME (name-<ordinal>); TRAFFICLENS_SHARD wins when set',
    ),
  TRAFFICLENS_POD_NAME: z
    .string()
    .optional()
    .describe('the pod name (Kubernetes downward API metadata.name), read with TRAFFICLENS_SHARDS'),
  TRAFFICLENS_CONFIG: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
    .describe('YAML file of continuous scoring jobs (docs/jobs.md)'),
  TRAFFICLENS_PROMETHEUS_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      let url: URL;
      try {
        url = new URL(v.trim());
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected an http(s) URL, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        ctx.addIssue({ code: 'custom', message: `expected an http(s) URL, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      if (url.username || url.password) {
        ctx.addIssue({
          code: 'custom',
          message:
            'put credentials in TRAFFICLENS_PROMETHEUS_USERNAME/_PASSWORD or _BEARER_TOKEN, not in the URL (it is logged)',
        });
        return z.NEVER;
      }
      return url.href;
    })
    .describe('base URL of the Prometheus (or compatible) HTTP API that queries and PromQL jobs read'),
  TRAFFICLENS_PROMETHEUS_BEARER_TOKEN: optionalSecret().describe(
    'sent as Authorization: Bearer to Prometheus',
  ),
  TRAFFICLENS_PROMETHEUS_USERNAME: optionalSecret().describe('basic auth user for Prometheus'),
  TRAFFICLENS_PROMETHEUS_PASSWORD: optionalSecret().describe('basic auth password for Prometheus'),
  TRAFFICLENS_PROMETHEUS_TIMEOUT_MS: integer(100, 600_000, 30_000).describe(
    'one request to Prometheus (body included) is abandoned after this long',
  ),
  TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES: integer(
    1024,
    1024 * MB,
    DEFAULT_PROMETHEUS_MAX_RESPONSE_BYTES,
  ).describe(
    'largest answer read from Prometheus (one request); a larger one is refused while it streams and its range fetched in smaller pieces (one step over it: 502). Parsing takes about 3× its size in memory',
  ),
});

export type EnvInput = z.input<typeof EnvConfig>;

export interface Config {
  port: number;
  host: string;
  apiToken: string | undefined;
  /** With a token: whether /metrics needs it too. */
  metricsAuth: boolean;
  /** Host names the service answers to beyond loopback's (see api/hosts.ts); `*` turns the check off. */
  allowedHosts: string[];
  limits: {
    maxBodyBytes: number;
    maxPointsPerSeries: number;
    maxSeriesPerRequest: number;
  };
  logLevel: LogLevel;
  scoring: {
    workerThreads: number;
    inlineMaxPoints: number;
    maxQueuedTasks: number;
    timeoutMs: number;
    /** Nice increment of the scoring worker threads (training: 19 unless this is 0). */
    workerNice: number;
  };
  shutdownTimeoutMs: number;
  /** Admission and slow-client limits of the HTTP server (api/admission.ts, api/server.ts). */
  http: HttpLimits;
  /** Run the embedded simulator jobs: as set, else only when no Prometheus and no jobs file is configured. */
  simulator: boolean;
  /** Where PromQL queries and jobs read; null when no Prometheus is configured. */
  prometheus: PrometheusConfig | null;
  /** The YAML jobs file (TRAFFICLENS_CONFIG / --config), not yet read. */
  jobsFile: string | null;
  /** This replica's share of the jobs' series (config/shard.ts); null: all of them. */
  shard: ShardConfig | null;
  models: { dir: string; trainingThreads: number };
  /** Continuous jobs' state snapshots (jobs/persistence.ts). */
  jobState: { dir: string; snapshotIntervalMs: number };
  /** The operator store (store/): maintenance windows. */
  store: { path: string };
  /** The demo page at / and the panel bundle it loads. */
  demo: { dir: string; panelDir: string };
}

export interface HttpLimits {
  maxRequestsInFlight: number;
  maxBytesInFlight: number;
  maxEventLoopDelayMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
}

export interface PrometheusConfig {
  url: string;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
  timeoutMs: number;
  /** Largest answer read from Prometheus (TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
}

/** Combinations the per-variable schema cannot see; each problem names the variables. */
export function checkCombinations(env: z.output<typeof EnvConfig>): string[] {
  const problems: string[] = [];
  const user = env.TRAFFICLENS_PROMETHEUS_USERNAME;
  const password = env.TRAFFICLENS_PROMETHEUS_PASSWORD;
  if ((user === undefined) !== (password === undefined)) {
    problems.push(
      'TRAFFICLENS_PROMETHEUS_USERNAME and TRAFFICLENS_PROMETHEUS_PASSWORD: set both for basic auth, or neither',
    );
  }
  if (user !== undefined && env.TRAFFICLENS_PROMETHEUS_BEARER_TOKEN !== undefined) {
    problems.push(
      'TRAFFICLENS_PROMETHEUS_BEARER_TOKEN and TRAFFICLENS_PROMETHEUS_USERNAME: choose bearer or basic auth, not both',
    );
  }
  if (env.TRAFFICLENS_HEADERS_TIMEOUT_MS > env.TRAFFICLENS_REQUEST_TIMEOUT_MS) {
    problems.push(
      `TRAFFICLENS_HEADERS_TIMEOUT_MS (${env.TRAFFICLENS_HEADERS_TIMEOUT_MS}) must not exceed TRAFFICLENS_REQUEST_TIMEOUT_MS (${env.TRAFFICLENS_REQUEST_TIMEOUT_MS}): the headers are part of the request`,
    );
  }
  const shard = shardOf(env);
  if (typeof shard === 'string') problems.push(shard);
  const credentials = user ?? env.TRAFFICLENS_PROMETHEUS_BEARER_TOKEN;
  if (credentials !== undefined && env.TRAFFICLENS_PROMETHEUS_URL === undefined) {
    problems.push('TRAFFICLENS_PROMETHEUS_URL: Prometheus credentials are set but no URL');
  }
  return problems;
}

/** The shard from TRAFFICLENS_SHARD, else TRAFFICLENS_SHARDS and the pod name; null: one replica. */
function shardOf(env: z.output<typeof EnvConfig>): ShardConfig | null | string {
  if (env.TRAFFICLENS_SHARD !== undefined) {
    const shard = parseShard(env.TRAFFICLENS_SHARD);
    return typeof shard === 'string' ? `TRAFFICLENS_SHARD (--shard): ${shard}` : shard;
  }
  if (env.TRAFFICLENS_SHARDS === undefined) return null;
  const count = /^\s*\d+\s*$/.test(env.TRAFFICLENS_SHARDS) ? Number(env.TRAFFICLENS_SHARDS) : NaN;
  if (!(count >= 1 && count <= MAX_SHARDS)) {
    return `TRAFFICLENS_SHARDS: expected an integer between 1 and ${MAX_SHARDS}, got ${JSON.stringify(env.TRAFFICLENS_SHARDS)}`;
  }
  if (env.TRAFFICLENS_POD_NAME === undefined) {
    return 'TRAFFICLENS_SHARDS: set TRAFFICLENS_POD_NAME too (the StatefulSet pod name, name-<ordinal>), or TRAFFICLENS_SHARD=i/N';
  }
  const shard = shardFromPodName(env.TRAFFICLENS_POD_NAME, count);
  return typeof shard === 'string' ? `TRAFFICLENS_POD_NAME: ${shard}` : shard;
}

export function toConfig(env: z.output<typeof EnvConfig>): Config {
  return {
    port: env.PORT,
    host: env.HOST,
    apiToken: env.TRAFFICLENS_API_TOKEN,
    metricsAuth: env.TRAFFICLENS_METRICS_AUTH,
    allowedHosts: env.TRAFFICLENS_ALLOWED_HOSTS,
    limits: {
      maxBodyBytes: env.TRAFFICLENS_MAX_BODY_BYTES,
      maxPointsPerSeries: env.TRAFFICLENS_MAX_POINTS_PER_SERIES,
      maxSeriesPerRequest: env.TRAFFICLENS_MAX_SERIES,
    },
    logLevel: env.LOG_LEVEL,
    scoring: {
      workerThreads: env.TRAFFICLENS_WORKER_THREADS,
      inlineMaxPoints: env.TRAFFICLENS_INLINE_MAX_POINTS,
      maxQueuedTasks: env.TRAFFICLENS_MAX_QUEUED_TASKS,
      timeoutMs: env.TRAFFICLENS_SCORE_TIMEOUT_MS,
      workerNice: env.TRAFFICLENS_WORKER_NICE,
    },
    shutdownTimeoutMs: env.TRAFFICLENS_SHUTDOWN_TIMEOUT_MS,
    http: {
      maxRequestsInFlight: env.TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT,
      maxBytesInFlight: env.TRAFFICLENS_MAX_BYTES_IN_FLIGHT,
      maxEventLoopDelayMs: env.TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS,
      headersTimeoutMs: env.TRAFFICLENS_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.TRAFFICLENS_REQUEST_TIMEOUT_MS,
      maxConnections: env.TRAFFICLENS_MAX_CONNECTIONS,
    },
    simulator:
      env.TRAFFICLENS_SIMULATOR ??
      (env.TRAFFICLENS_PROMETHEUS_URL === undefined && env.TRAFFICLENS_CONFIG === undefined),
    prometheus:
      env.TRAFFICLENS_PROMETHEUS_URL === undefined
        ? null
        : {
            url: env.TRAFFICLENS_PROMETHEUS_URL,
            timeoutMs: env.TRAFFICLENS_PROMETHEUS_TIMEOUT_MS,
            maxResponseBytes: env.TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES,
            ...(env.TRAFFICLENS_PROMETHEUS_BEARER_TOKEN
              ? { bearerToken: env.TRAFFICLENS_PROMETHEUS_BEARER_TOKEN }
              : {}),
            ...(env.TRAFFICLENS_PROMETHEUS_USERNAME && env.TRAFFICLENS_PROMETHEUS_PASSWORD
              ? {
                  basicAuth: {
                    username: env.TRAFFICLENS_PROMETHEUS_USERNAME,
                    password: env.TRAFFICLENS_PROMETHEUS_PASSWORD,
                  },
                }
              : {}),
          },
    jobsFile: env.TRAFFICLENS_CONFIG ?? null,
    shard: (() => {
      const shard = shardOf(env);
      return typeof shard === 'string' ? null : shard;
    })(),
    models: { dir: env.TRAFFICLENS_MODELS_DIR, trainingThreads: env.TRAFFICLENS_TRAINING_THREADS },
    jobState: {
      dir: env.TRAFFICLENS_STATE_DIR ?? defaultStateDir(env.TRAFFICLENS_MODELS_DIR),
      snapshotIntervalMs: env.TRAFFICLENS_STATE_SNAPSHOT_INTERVAL_MS,
    },
    store: {
      path:
        env.TRAFFICLENS_STORE_PATH ??
        join(env.TRAFFICLENS_STATE_DIR ?? defaultStateDir(env.TRAFFICLENS_MODELS_DIR), 'trafficlens.db'),
    },
    demo: { dir: env.TRAFFICLENS_DEMO_DIR, panelDir: env.TRAFFICLENS_PANEL_DIR },
  };
}
