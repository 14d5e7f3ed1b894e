/**
 * Load and validate the configuration once, at start. Errors name the variable (and its flag) so
 * the operator knows what to fix; nothing downstream re-checks these values.
 */
import { parseArgs } from 'node:util';
import { checkCombinations, EnvConfig, toConfig, type Config, type EnvInput } from './schema.js';

/** CLI flag → environment variable. Flags win over the environment. */
export const FLAGS = {
  port: 'PORT',
  host: 'HOST',
  'log-level': 'LOG_LEVEL',
  'metrics-auth': 'TRAFFICLENS_METRICS_AUTH',
  'allowed-hosts': 'TRAFFICLENS_ALLOWED_HOSTS',
  'max-body-bytes': 'TRAFFICLENS_MAX_BODY_BYTES',
  'max-points-per-series': 'TRAFFICLENS_MAX_POINTS_PER_SERIES',
  'max-series': 'TRAFFICLENS_MAX_SERIES',
  'worker-threads': 'TRAFFICLENS_WORKER_THREADS',
  'worker-nice': 'TRAFFICLENS_WORKER_NICE',
  'inline-max-points': 'TRAFFICLENS_INLINE_MAX_POINTS',
  'max-queued-tasks': 'TRAFFICLENS_MAX_QUEUED_TASKS',
  'score-timeout-ms': 'TRAFFICLENS_SCORE_TIMEOUT_MS',
  'shutdown-timeout-ms': 'TRAFFICLENS_SHUTDOWN_TIMEOUT_MS',
  'max-requests-in-flight': 'TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT',
  'max-bytes-in-flight': 'TRAFFICLENS_MAX_BYTES_IN_FLIGHT',
  'max-event-loop-delay-ms': 'TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS',
  'headers-timeout-ms': 'TRAFFICLENS_HEADERS_TIMEOUT_MS',
  'request-timeout-ms': 'TRAFFICLENS_REQUEST_TIMEOUT_MS',
  'max-connections': 'TRAFFICLENS_MAX_CONNECTIONS',
  simulator: 'TRAFFICLENS_SIMULATOR',
  config: 'TRAFFICLENS_CONFIG',
  shard: 'TRAFFICLENS_SHARD',
  'prometheus-url': 'TRAFFICLENS_PROMETHEUS_URL',
  'prometheus-timeout-ms': 'TRAFFICLENS_PROMETHEUS_TIMEOUT_MS',
  'prometheus-max-response-bytes': 'TRAFFICLENS_PROMETHEUS_MAX_RESPONSE_BYTES',
  'models-dir': 'TRAFFICLENS_MODELS_DIR',
  'training-threads': 'TRAFFICLENS_TRAINING_THREADS',
  'state-dir': 'TRAFFICLENS_STATE_DIR',
  'store-path': 'TRAFFICLENS_STORE_PATH',
  'state-snapshot-interval-ms': 'TRAFFICLENS_STATE_SNAPSHOT_INTERVAL_MS',
  'demo-dir': 'TRAFFICLENS_DEMO_DIR',
  'panel-dir': 'TRAFFICLENS_PANEL_DIR',
} as const satisfies Record<string, keyof EnvInput>;
// No --api-token (nor Prometheus credential) flags on purpose: command lines are visible to every user
// through `ps`.

export class ConfigError extends Error {
  readonly stage = 'config';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  env?: NodeJS.ProcessEnv;
  /** Arguments after the script name (process.argv.slice(2)). */
  argv?: string[];
}

function flagFor(variable: string): string | undefined {
  return Object.entries(FLAGS).find(([, v]) => v === variable)?.[0];
}

function readFlags(argv: string[]): Partial<Record<keyof EnvInput, string>> {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((flag) => [flag, { type: flag === 'simulator' ? 'boolean' : 'string' }] as const),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, 'no-simulator': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new ConfigError([err instanceof Error ? err.message : String(err)]);
  }
  const out: Partial<Record<keyof EnvInput, string>> = {};
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (flag === 'no-simulator') out.TRAFFICLENS_SIMULATOR = 'false';
    else if (flag in FLAGS) out[FLAGS[flag as keyof typeof FLAGS]] = String(value);
  }
  return out;
}

export function loadConfig({ env = process.env, argv = [] }: ConfigSources = {}): Config {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(EnvConfig.shape)) {
    if (env[key] !== undefined) input[key] = env[key];
  }
  Object.assign(input, readFlags(argv));
  const result = EnvConfig.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '');
        const flag = flagFor(variable);
        return `${variable}${flag ? ` (--${flag})` : ''}: ${issue.message}`;
      }),
    );
  }
  const problems = checkCombinations(result.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(result.data);
}
