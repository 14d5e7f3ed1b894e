import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './index.js';

function problems(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    loadConfig({ env, argv });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('defaults: loopback on 8686, no token, 20 MB / 200,000 points / 1,000 series, info logs', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      port: 8686,
      host: '127.0.0.1',
      apiToken: undefined,
      limits: { maxBodyBytes: 20 * 1024 * 1024, maxPointsPerSeries: 200_000, maxSeriesPerRequest: 1_000 },
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      simulator: true,
    });
    expect(config.scoring.workerThreads).toBeGreaterThanOrEqual(1);
  });

  test('reads every variable from the environment', () => {
    const config = loadConfig({
      env: {
        TRAFFICLENS_SHARD: '1/3',
        PORT: '9000',
        HOST: '0.0.0.0',
        TRAFFICLENS_API_TOKEN: 'a-long-enough-token',
        TRAFFICLENS_METRICS_AUTH: 'false',
        TRAFFICLENS_ALLOWED_HOSTS: 'Scorer.Example, [FD00::1],10.0.0.5',
        TRAFFICLENS_MAX_BODY_BYTES: '1048576',
        TRAFFICLENS_MAX_POINTS_PER_SERIES: '5000',
        TRAFFICLENS_MAX_SERIES: '10',
        LOG_LEVEL: 'DEBUG',
        TRAFFICLENS_WORKER_THREADS: '0',
        TRAFFICLENS_INLINE_MAX_POINTS: '100',
        TRAFFICLENS_MAX_QUEUED_TASKS: '8',
        TRAFFICLENS_SCORE_TIMEOUT_MS: '0',
        TRAFFICLENS_SHUTDOWN_TIMEOUT_MS: '500',
        TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT: '4',
        TRAFFICLENS_MAX_BYTES_IN_FLIGHT: '2097152',
        TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS: '0',
        TRAFFICLENS_HEADERS_TIMEOUT_MS: '5000',
        TRAFFICLENS_REQUEST_TIMEOUT_MS: '20000',
        TRAFFICLENS_MAX_CONNECTIONS: '100',
        TRAFFICLENS_SIMULATOR: 'off',
        TRAFFICLENS_MODELS_DIR: '/var/lib/trafficlens/models',
        TRAFFICLENS_TRAINING_THREADS: '2',
        TRAFFICLENS_STATE_DIR: '/var/lib/trafficlens/job-state',
        TRAFFICLENS_STATE_SNAPSHOT_INTERVAL_MS: '60000',
        TRAFFICLENS_DEMO_DIR: '/srv/trafficlens/demo',
        TRAFFICLENS_PANEL_DIR: '/srv/trafficlens/panel',
      },
    });
    expect(config).toEqual({
      port: 9000,
      host: '0.0.0.0',
      apiToken: 'a-long-enough-token',
      metricsAuth: false,
      allowedHosts: ['scorer.example', '[fd00::1]', '10.0.0.5'],
      limits: { maxBodyBytes: 1_048_576, maxPointsPerSeries: 5000, maxSeriesPerRequest: 10 },
      logLevel: 'debug',
      scoring: { workerThreads: 0, inlineMaxPoints: 100, maxQueuedTasks: 8, timeoutMs: 0, workerNice: 10 },
      shutdownTimeoutMs: 500,
      http: {
        maxRequestsInFlight: 4,
        maxBytesInFlight: 2_097_152,
        maxEventLoopDelayMs: 0,
        headersTimeoutMs: 5000,
        requestTimeoutMs: 20_000,
        maxConnections: 100,
      },
      simulator: false,
      prometheus: null,
      jobsFile: null,
      shard: { index: 1, count: 3 },
      models: { dir: '/var/lib/trafficlens/models', trainingThreads: 2 },
      jobState: { dir: '/var/lib/trafficlens/job-state', snapshotIntervalMs: 60_000 },
      store: { path: '/var/lib/trafficlens/job-state/trafficlens.db' },
      demo: { dir: '/srv/trafficlens/demo', panelDir: '/srv/trafficlens/panel' },
    });
  });

  test("models: the backend package's models/ and one training thread by default; the flags win", () => {
    const backend = fileURLToPath(new URL('../../', import.meta.url));
    expect(loadConfig({ env: {} }).models).toEqual({ dir: join(backend, 'models'), trainingThreads: 1 });
    // A relative folder is the working directory's, resolved once at start.
    expect(loadConfig({ env: { TRAFFICLENS_MODELS_DIR: 'here/models' } }).models.dir).toBe(
      resolve('here/models'),
    );
    const config = loadConfig({
      env: { TRAFFICLENS_MODELS_DIR: '/a' },
      argv: ['--models-dir', '/b', '--training-threads', '3'],
    });
    expect(config.models).toEqual({ dir: '/b', trainingThreads: 3 });
    expect(() => loadConfig({ env: { TRAFFICLENS_TRAINING_THREADS: '0' } })).toThrow(
      'TRAFFICLENS_TRAINING_THREADS (--training-threads): expected an integer between 1 and 64, got "0"',
    );
  });

  test('store: trafficlens.db in the state folder by default; the variable and the flag win', () => {
    const backend = fileURLToPath(new URL('../../', import.meta.url));
    expect(loadConfig({ env: {} }).store).toEqual({ path: join(backend, 'state', 'trafficlens.db') });
    expect(loadConfig({ env: { TRAFFICLENS_STATE_DIR: '/var/tl' } }).store.path).toBe(
      '/var/tl/trafficlens.db',
    );
    expect(loadConfig({ env: { TRAFFICLENS_STORE_PATH: '/data/ops.db' } }).store.path).toBe('/data/ops.db');
    expect(
      loadConfig({ env: { TRAFFICLENS_STORE_PATH: '/data/ops.db' }, argv: ['--store-path', 'rel/ops.db'] })
        .store.path,
    ).toBe(resolve('rel/ops.db'));
  });

  test('job state: state/ beside the models folder, every 5 minutes, by default; the flags win', () => {
    const backend = fileURLToPath(new URL('../../', import.meta.url));
    expect(loadConfig({ env: {} }).jobState).toEqual({
      dir: join(backend, 'state'),
      snapshotIntervalMs: 300_000,
    });
    // It follows a moved models folder, so one volume holds both.
    expect(loadConfig({ env: { TRAFFICLENS_MODELS_DIR: '/data/tl/models' } }).jobState.dir).toBe(
      '/data/tl/state',
    );
    const config = loadConfig({
      env: { TRAFFICLENS_STATE_DIR: '/a' },
      argv: ['--state-dir', 'rel/state', '--state-snapshot-interval-ms', '0'],
    });
    expect(config.jobState).toEqual({ dir: resolve('rel/state'), snapshotIntervalMs: 0 });
    expect(() => loadConfig({ env: { TRAFFICLENS_STATE_SNAPSHOT_INTERVAL_MS: '-1' } })).toThrow(
      'TRAFFICLENS_STATE_SNAPSHOT_INTERVAL_MS (--state-snapshot-interval-ms): expected an integer between 0 and 86400000, got "-1"',
    );
  });

  test('HTTP limits: the headers timeout may not exceed the request timeout (Node refuses it)', () => {
    expect(loadConfig({ env: {} }).http).toEqual({
      maxRequestsInFlight: 16,
      maxBytesInFlight: 8 * 1024 * 1024,
      maxEventLoopDelayMs: 40,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxConnections: 1024,
    });
    expect(() =>
      loadConfig({ argv: ['--headers-timeout-ms', '20000', '--request-timeout-ms', '10000'] }),
    ).toThrow(
      'TRAFFICLENS_HEADERS_TIMEOUT_MS (20000) must not exceed TRAFFICLENS_REQUEST_TIMEOUT_MS (10000): the headers are part of the request',
    );
  });

  test('flags win over the environment', () => {
    const config = loadConfig({
      env: { PORT: '9000', LOG_LEVEL: 'warn' },
      argv: ['--port', '9100', '--log-level=error', '--no-simulator'],
    });
    expect(config).toMatchObject({ port: 9100, logLevel: 'error', simulator: false });
  });

  test('Prometheus: URL, timeout and basic auth from the environment; the flag wins for the URL', () => {
    const config = loadConfig({
      env: {
        TRAFFICLENS_PROMETHEUS_URL: 'http://prom:9090/prefix',
        TRAFFICLENS_PROMETHEUS_USERNAME: 'scorer',
        TRAFFICLENS_PROMETHEUS_PASSWORD: 'secret',
        TRAFFICLENS_PROMETHEUS_TIMEOUT_MS: '5000',
      },
      argv: ['--prometheus-url', 'https://other:9090', '--config', 'jobs.yaml'],
    });
    expect(config.prometheus).toEqual({
      url: 'https://other:9090/',
      timeoutMs: 5000,
      maxResponseBytes: 64 * 1024 * 1024,
      basicAuth: { username: 'scorer', password: 'secret' },
    });
    expect(config.jobsFile).toBe('jobs.yaml');
  });

  test('the simulator jobs run by default only without a Prometheus and without a jobs file', () => {
    expect(loadConfig({ env: {} }).simulator).toBe(true);
    expect(loadConfig({ env: { TRAFFICLENS_PROMETHEUS_URL: 'http://p:9090' } }).simulator).toBe(false);
    expect(loadConfig({ env: { TRAFFICLENS_CONFIG: 'jobs.yaml' } }).simulator).toBe(false);
    expect(
      loadConfig({ env: { TRAFFICLENS_CONFIG: 'jobs.yaml', TRAFFICLENS_SIMULATOR: 'true' } }).simulator,
    ).toBe(true);
  });

  test.each([
    [
      { TRAFFICLENS_PROMETHEUS_URL: 'prom:9090' },
      'TRAFFICLENS_PROMETHEUS_URL (--prometheus-url): expected an http(s) URL',
    ],
    [{ TRAFFICLENS_PROMETHEUS_URL: 'ftp://prom' }, 'expected an http(s) URL'],
    [{ TRAFFICLENS_PROMETHEUS_URL: 'http://u:p@prom:9090' }, 'not in the URL'],
    [
      { TRAFFICLENS_PROMETHEUS_URL: 'http://p', TRAFFICLENS_PROMETHEUS_USERNAME: 'u' },
      'set both for basic auth, or neither',
    ],
    [
      {
        TRAFFICLENS_PROMETHEUS_URL: 'http://p',
        TRAFFICLENS_PROMETHEUS_USERNAME: 'u',
        TRAFFICLENS_PROMETHEUS_PASSWORD: 'p',
        TRAFFICLENS_PROMETHEUS_BEARER_TOKEN: 't',
      },
      'choose bearer or basic auth, not both',
    ],
    [{ TRAFFICLENS_PROMETHEUS_BEARER_TOKEN: 't' }, 'credentials are set but no URL'],
    [
      { TRAFFICLENS_PROMETHEUS_TIMEOUT_MS: '10' },
      'TRAFFICLENS_PROMETHEUS_TIMEOUT_MS (--prometheus-timeout-ms)',
    ],
  ])('Prometheus settings %p are refused naming the variable', (env, message) => {
    expect(problems(env).join('\n')).toContain(message);
  });

  test('ignores variables it does not know', () => {
    expect(loadConfig({ env: { PATH: '/bin', HOME: '/root' } }).port).toBe(8686);
  });

  test.each([
    [{ PORT: 'eighty' }, 'PORT (--port): expected an integer between 0 and 65535, got "eighty"'],
    [{ PORT: '70000' }, 'PORT (--port): expected an integer between 0 and 65535, got "70000"'],
    [{ PORT: '80.5' }, 'PORT (--port): expected an integer'],
    [{ HOST: ' ' }, 'HOST (--host): expected a host name or address'],
    [
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL (--log-level): expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [{ TRAFFICLENS_API_TOKEN: 'short' }, 'TRAFFICLENS_API_TOKEN: expected at least 16 characters'],
    [
      { TRAFFICLENS_MAX_BODY_BYTES: '20mb' },
      'TRAFFICLENS_MAX_BODY_BYTES (--max-body-bytes): expected an integer',
    ],
    [{ TRAFFICLENS_MAX_SERIES: '0' }, 'TRAFFICLENS_MAX_SERIES (--max-series): expected an integer between 1'],
    [
      { TRAFFICLENS_WORKER_THREADS: '-1' },
      'TRAFFICLENS_WORKER_THREADS (--worker-threads): expected an integer',
    ],
    [{ TRAFFICLENS_SIMULATOR: 'maybe' }, 'TRAFFICLENS_SIMULATOR (--simulator): expected true or false'],
  ])('%p is refused with an error naming the variable', (env, message) => {
    expect(problems(env).join('\n')).toContain(message);
  });

  test('reports every bad variable at once', () => {
    expect(problems({ PORT: 'x', LOG_LEVEL: 'y' })).toHaveLength(2);
  });

  test('an unknown flag is refused', () => {
    expect(problems({}, ['--prot', '1'])[0]).toMatch(/--prot/);
  });

  test('the ConfigError message lists the problems, one a line', () => {
    expect(() => loadConfig({ env: { PORT: 'x' } })).toThrow(
      /^invalid configuration:\n {2}PORT \(--port\): /,
    );
  });
});
