/**
 * The built service as an operator runs it: `node backend/dist/main.js`. Needs
 * `npm run build -w backend` first (fails, rather than skips, when dist/main.js is missing).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

class Service {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: (() => void)[] = [];

  constructor(env: Record<string, string>, args: string[] = []) {
    this.child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim()) this.lines.push(JSON.parse(part) as LogLine);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Resolves with the first log line matching, waiting for more output as needed. */
  async line(match: (line: LogLine) => boolean): Promise<LogLine> {
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (this.child.exitCode !== null) throw new Error(`service exited: ${this.stderr}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

async function untilReady(url: string): Promise<void> {
  for (;;) {
    const res = await fetch(`${url}/readyz`);
    if (res.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const started: Service[] = [];
afterAll(() => {
  for (const service of started) if (service.child.exitCode === null) service.child.kill('SIGKILL');
});

beforeAll(() => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`npm run build -w backend\` before these tests`);
});

describe('node dist/main.js', () => {
  test('listens, answers /healthz, and exits 0 after SIGTERM with the shutdown logged', async () => {
    const service = new Service({ PORT: '0', TRAFFICLENS_WORKER_THREADS: '1' });
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

  test('exits 0 after SIGINT too', async () => {
    const service = new Service({
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
    const service = new Service({ PORT: '0', TRAFFICLENS_PROMETHEUS_URL: 'http://127.0.0.1:9' }, [
      '--config',
      file,
    ]);
    started.push(service);
    expect((await service.exited).code).toBe(2);
    expect(service.stderr).toContain(`${file}:4:15: jobs[0].interval: "5x" is not a duration`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('refuses a bad configuration with exit code 2 and a message naming the variable', async () => {
    const service = new Service({ PORT: 'eighty' });
    started.push(service);
    expect((await service.exited).code).toBe(2);
    expect(service.stderr).toContain('PORT (--port): expected an integer between 0 and 65535, got "eighty"');
  });
});
