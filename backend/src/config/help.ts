/**
 * `node backend/dist/main.js --help`: every option and environment variable of the service, written
 * from the same schema (EnvConfig: descriptions and defaults) and flag table (FLAGS) that load the
 * configuration, so the help cannot list a variable the service does not read, nor miss one.
 */
import { FLAGS } from './load.js';
import { DEFAULT_WORKER_THREADS, EnvConfig } from './schema.js';

/** Read outside EnvConfig (by the code that uses it), so listed here. */
const OTHER_VARIABLES: readonly { name: string; description: string }[] = [
  {
    name: 'TRAFFICLENS_TFJS_BACKEND',
    description:
      'TensorFlow.js backend to try first: tensorflow, wasm or cpu (default order: tfjs-node, wasm, cpu)',
  },
];

export const HELP_FLAGS = ['--help', '-h'] as const;

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((a) => (HELP_FLAGS as readonly string[]).includes(a));
}

function defaultOf(variable: string, value: unknown): string {
  if (variable === 'TRAFFICLENS_WORKER_THREADS') return `${DEFAULT_WORKER_THREADS} (one per core)`;
  if (variable === 'TRAFFICLENS_SIMULATOR') return 'only without a Prometheus URL and a jobs file';
  if (variable === 'TRAFFICLENS_STATE_DIR') return 'state/ beside the models folder';
  if (variable === 'TRAFFICLENS_STORE_PATH') return 'trafficlens.db in the state folder';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  return value === undefined ? 'unset' : String(value);
}

export function serviceHelp(): string {
  const defaults = EnvConfig.parse({}) as Record<string, unknown>;
  const flagOf = new Map<string, string>(Object.entries(FLAGS).map(([flag, variable]) => [variable, flag]));
  const options: string[] = [];
  const envOnly: string[] = [];
  for (const [variable, schema] of Object.entries(EnvConfig.shape)) {
    const flag = flagOf.get(variable);
    const about = `${schema.description ?? ''}`;
    const dflt = `default: ${defaultOf(variable, defaults[variable])}`;
    if (flag === 'simulator') {
      options.push(`  --simulator, --no-simulator     ${variable}=true|false; ${dflt}`, `      ${about}`);
    } else if (flag) {
      options.push(`  ${`--${flag} <value>`.padEnd(31)} ${variable}; ${dflt}`, `      ${about}`);
    } else {
      envOnly.push(`  ${variable}; ${dflt}`, `      ${about}`);
    }
  }
  for (const v of OTHER_VARIABLES) envOnly.push(`  ${v.name}; default: unset`, `      ${v.description}`);
  return [
    'Usage: node backend/dist/main.js [options]   (npm start runs it)',
    '',
    'The TrafficLens scoring service: the HTTP API, /metrics, continuous scoring jobs (the embedded',
    'traffic simulator when neither a Prometheus nor a jobs file is configured) and the demo page at /.',
    'Every option is also the environment variable named after it; a flag wins over the variable.',
    'A bad value stops the service with exit code 2 and a line naming it. More: docs/service.md.',
    '',
    'Options:',
    ...options,
    `  ${'-h, --help'.padEnd(31)} print this help and exit`,
    '',
    'Environment variables without a flag (secrets: a command line is visible to every user in ps):',
    ...envOnly,
    '',
  ].join('\n');
}
