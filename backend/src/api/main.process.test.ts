/**
 * The built service as an operator runs it: `node backend/dist/main.js`. Needs
 * `npm run build -w backend` first (fails, rather than skips, when dist/main.js is missing).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvConfig, FLAGS } from '../config/index.js';
import { MAIN, ServiceProcess } from './testing/serviceProcess.js';

const BACKEND = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the service to its exit, with its output as text. */
async function run(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

async function untilReady(url: string): Promise<void> {
  for (;;) {
    const res = await fetch(`${url}/readyz`);
    if (res.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const started: ServiceProcess[] = [];
afterAll(() => {
  for (const service of started) if (service.child.exitCode === null) service.child.kill('SIGKILL');
});

beforeAll(() => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`npm run build -w backend\` before these tests`);
});

describe('node dist/main.js', () => {
  test('listens, answers /healthz, and exits 0 after SIGTERM with the shutdown logged', async () => {
    const service = new ServiceProcess({ PORT: '0', TRAFFICLENS_WORKER_THREADS: '1' });
    started.push(service);
    const listening = await service.line((l) => l.msg.startsWith('listening on http://127.0.0.1:'));
    const url = String(listening.url);
    expect(listening.msg).toBe(`listening on ${url}`);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', tfjsBackend: null });
    await untilReady(url);
    const scored = await fetch(`${url}/api/v1/score`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ series: [{ timestamps: [1, 2, 3], values: [1, 2, 3] }] }),
    });
    expect(scored.status).toBe(200);

    service.child.kill('SIGTERM');
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(service.lines.map((l) => l.msg)).toContain('shutdown complete');
    expect(service.lines.find((l) => l.msg === 'shutdown complete')).toMatchObject({ reason: 'SIGTERM' });
    expect(service.stderr).toBe('');
  });

  test('SIGTERM under keep-alive load: in-flight requests finish with Connection: close, none is reset', async () => {
    const service = new ServiceProcess({
      PORT: '0',
      TRAFFICLENS_WORKER_THREADS: '0',
      TRAFFICLENS_SIMULATOR: 'false',
      TRAFFICLENS_SHUTDOWN_TIMEOUT_MS: '5000',
    });
    started.push(service);
    const url = String((await service.line((l) => l.msg.startsWith('listening on'))).url);
    const body = JSON.stringify({
      series: [
        {
          timestamps: Array.from({ length: 300 }, (_, i) => 1_700_000_000_000 + i * 60_000),
          values: Array.from({ length: 300 }, (_, i) => 100 + (i % 7)),
        },
      ],
    });
    const outcomes: string[] = [];
    let closeAfterSignal = 0;
    let signalled = false;
    /** One client: requests back to back on one kept-alive connection until the service is gone. */
    async function client(): Promise<void> {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (;;) {
          const outcome = await new Promise<string>((resolve) => {
            const req = httpRequest(
              `${url}/api/v1/score`,
              { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
              (res) => {
                res.resume();
                res.on('end', () => {
                  if (signalled && res.headers.connection === 'close') closeAfterSignal++;
                  resolve(String(res.statusCode));
                });
                res.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
              },
            );
            req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
            req.end(body);
          });
          outcomes.push(outcome);
          // A refusal (503, over the admission budget) is an answer: the client tries again.
          if (outcome !== '200' && outcome !== '503') return;
        }
      } finally {
        agent.destroy();
      }
    }
    const clients = Array.from({ length: 8 }, () => client());
    while (outcomes.length < 50) await new Promise((resolve) => setTimeout(resolve, 10));
    signalled = true;
    service.child.kill('SIGTERM');
    await Promise.all(clients);
    expect((await service.exited).code).toBe(0);
    // Every client stops on a refused new connection (the service stopped listening), never on a
    // reset of a connection it had been told it could reuse.
    const failures = outcomes.filter((o) => o !== '200' && o !== '503');
    expect(failures).toEqual(Array.from({ length: 8 }, () => 'ECONNREFUSED'));
    expect(closeAfterSignal).toBeGreaterThanOrEqual(1);
  });

  test('exits 0 after SIGINT too', async () => {
    const service = new ServiceProcess({
      PORT: '0',
      TRAFFICLENS_WORKER_THREADS: '0',
      TRAFFICLENS_SIMULATOR: 'false',
    });
    started.push(service);
    await service.line((l) => l.msg.startsWith('listening on'));
    service.child.kill('SIGINT');
    expect((await service.exited).code).toBe(0);
    expect(service.lines.map((l) => l.msg)).toContain('shutdown complete');
  });

  test('refuses a bad jobs file with exit code 2, naming the line and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trafficlens-jobs-'));
    const file = join(dir, 'jobs.yaml');
    writeFileSync(file, 'jobs:\n  - name: edge\n    expr: up\n    interval: 5x\n');
    const service = new ServiceProcess({ PORT: '0', TRAFFICLENS_PROMETHEUS_URL: 'http://127.0.0.1:9' }, [
      '--config',
      file,
    ]);
    started.push(service);
    expect((await service.exited).code).toBe(2);
    expect(service.stderr).toContain(`${file}:4:15: jobs[0].interval: "5x" is not a duration`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('--help lists every option and environment variable and exits 0 without starting', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'trafficlens-cwd-'));
    const r = await run(['--help'], { PORT: 'eighty' }, elsewhere);
    rmSync(elsewhere, { recursive: true, force: true });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: node backend\/dist\/main\.js \[options\]/);
    for (const [flag, variable] of Object.entries(FLAGS)) {
      expect(r.stdout).toMatch(new RegExp(`--${flag}\\b.* ${variable}\\b`));
    }
    for (const variable of [...Object.keys(EnvConfig.shape), 'TRAFFICLENS_TFJS_BACKEND']) {
      expect(r.stdout).toMatch(new RegExp(`\\b${variable}[;=]`));
    }
    // The models' default is the backend package's, whichever folder the service starts in.
    expect(r.stdout).toContain(`TRAFFICLENS_MODELS_DIR; default: ${join(BACKEND, 'models')}\n`);
    expect(r.stdout).not.toContain('"level"');
  });

  test('a busy port: one line naming it and how to choose another, exit 1, no stack trace', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      const r = await run([], {
        PORT: String(port),
        TRAFFICLENS_SIMULATOR: 'false',
        TRAFFICLENS_WORKER_THREADS: '0',
        LOG_LEVEL: 'warn',
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `trafficlens: port ${port} on 127.0.0.1 is already in use (is TrafficLens already running?); choose another with PORT=<port> or --port <port> (PORT=0 picks a free one)\n`,
      );
    } finally {
      taken.close();
    }
  });

  test("the start line names the models folder: the backend package's by default, from any folder", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'trafficlens-cwd-'));
    const env = { PORT: '0', TRAFFICLENS_WORKER_THREADS: '0', TRAFFICLENS_SIMULATOR: 'false' };
    try {
      for (const [models, expected] of [
        [undefined, join(BACKEND, 'models')],
        ['relative/models', join(elsewhere, 'relative/models')],
      ] as const) {
        const service = new ServiceProcess(
          models ? { ...env, TRAFFICLENS_MODELS_DIR: models } : env,
          [],
          elsewhere,
        );
        started.push(service);
        const listening = await service.line((l) => l.msg.startsWith('listening on'));
        expect(listening.models).toBe(expected);
        service.child.kill('SIGTERM');
        expect((await service.exited).code).toBe(0);
      }
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('refuses a bad configuration with exit code 2 and a message naming the variable', async () => {
    const service = new ServiceProcess({ PORT: 'eighty' });
    started.push(service);
    expect((await service.exited).code).toBe(2);
    expect(service.stderr).toContain('PORT (--port): expected an integer between 0 and 65535, got "eighty"');
  });
});
