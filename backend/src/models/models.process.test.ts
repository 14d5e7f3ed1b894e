/**
 * The model lifecycle in the built service (`node backend/dist/main.js`, so training runs in the real
 * worker pool): train → restart → identical scores; a corrupt model → the service starts, reports and
 * quarantines it, scores with the statistical fallback, and the model trains again under its id.
 * Needs `npm run build -w backend` first (the root `npm test` builds).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

interface Running {
  child: ChildProcess;
  url: string;
  log: string[];
}

async function start(modelsDir: string): Promise<Running> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      TRAFFICLENS_MODELS_DIR: modelsDir,
      TRAFFICLENS_SIMULATOR: 'false',
      TRAFFICLENS_WORKER_THREADS: '1',
      // Training at the main thread's priority: this test is about the model's lifecycle (the priority is
      // threadPriority.pool.test.ts's), and at nice 19 a training thread gets ~1.5 % of a core while the
      // other jest worker keeps both cores busy, which can run a 60 s test out of time.
      TRAFFICLENS_WORKER_NICE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        log.push(l);
        const m = /"url":"(http:[^"]+)"/.exec(l);
        if (m) resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${stderr}`)));
  });
  return { child, url, log };
}

async function stop(s: Running): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

async function api(s: Running, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function series(n: number, spikeAt = -1) {
  const t0 = Date.UTC(2024, 0, 1);
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * 60_000);
  const values = timestamps.map(
    (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 30) + ((i * 7919) % 13) / 13,
  );
  if (spikeAt >= 0) values[spikeAt] += 40;
  return { timestamps, values };
}

async function untilTrained(s: Running, id: string) {
  for (;;) {
    const r = await api(s, 'GET', `/api/v1/models/${id}`);
    if (r.body.training?.state === 'failed') throw new Error(r.body.training.error);
    if (r.body.state === 'ready' && r.body.training?.state !== 'training') return r.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('models in the built service', () => {
  let dir = '';
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build -w backend first`);
    dir = mkdtempSync(join(tmpdir(), 'tl-models-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const request = { series: [series(400, 350)], model: 'sine', options: { causal: true } };

  test('train, restart, identical scores', async () => {
    const a = await start(dir);
    try {
      const posted = await api(a, 'POST', '/api/v1/models', {
        id: 'sine',
        detector: 'autoencoder',
        series: series(300),
        options: { epochs: 5, window: 12 },
      });
      expect(posted.status).toBe(202);
      expect(posted.body).toMatchObject({ id: 'sine', version: 1, status: '/api/v1/models/sine' });
      const ready = await untilTrained(a, 'sine');
      expect(ready.metadata).toMatchObject({ detector: 'autoencoder', version: 1 });
      expect(['wasm', 'cpu', 'tensorflow']).toContain(ready.metadata.tfjs.backend);
      const before = await api(a, 'POST', '/api/v1/score', request);
      expect(before.status).toBe(200);
      expect(before.body.series[0].state).toBe('ok');
      expect(before.body.series[0].model.trained).toEqual({ id: 'sine', version: 1, state: 'ready' });
      expect(before.body.series[0].anomaly[350]).toBe(true);
      expect((await api(a, 'GET', '/healthz')).body.tfjsBackend).toBe(ready.metadata.tfjs.backend);
      await stop(a);

      const b = await start(dir);
      try {
        const after = await api(b, 'POST', '/api/v1/score', request);
        expect(after.body.series[0].score).toEqual(before.body.series[0].score);
        expect(after.body.series[0].expected).toEqual(before.body.series[0].expected);
        // TF.js is not even loaded to score a stored model.
        expect((await api(b, 'GET', '/healthz')).body.tfjsBackend).toBeNull();
      } finally {
        await stop(b);
      }
    } finally {
      if (a.child.exitCode === null) await stop(a);
    }
  }, 60_000);

  test('a corrupt model is quarantined, the service runs on and the model trains again', async () => {
    writeFileSync(join(dir, 'sine', 'v1', 'weights.bin'), 'not weights');
    const s = await start(dir);
    try {
      expect(s.log.some((l) => l.includes('model sine v1 is corrupt and was quarantined'))).toBe(true);
      expect(readdirSync(join(dir, '.quarantine')).some((n) => n.startsWith('sine-v1-'))).toBe(true);
      const status = await api(s, 'GET', '/api/v1/models/sine');
      expect(status.body).toMatchObject({ id: 'sine', state: 'quarantined', version: null, versions: [] });
      expect(status.body.problem).toMatch(/weights\.bin/);

      const fallback = await api(s, 'POST', '/api/v1/score', request);
      expect(fallback.status).toBe(200);
      expect(fallback.body.series[0]).toMatchObject({ state: 'learning', detector: 'auto' });
      expect(fallback.body.series[0].model.fallback.from).toBe('autoencoder');
      expect(fallback.body.series[0].model.trained).toEqual({
        id: 'sine',
        version: null,
        state: 'quarantined',
      });

      const again = await api(s, 'POST', '/api/v1/models', {
        id: 'sine',
        detector: 'autoencoder',
        series: series(300),
        options: { epochs: 5, window: 12 },
      });
      expect(again.body.version).toBe(2);
      await untilTrained(s, 'sine');
      const scored = await api(s, 'POST', '/api/v1/score', request);
      expect(scored.body.series[0]).toMatchObject({ state: 'ok', detector: 'autoencoder' });
      expect((await api(s, 'DELETE', '/api/v1/models/sine')).status).toBe(204);
      expect((await api(s, 'GET', '/api/v1/models/sine')).status).toBe(404);
    } finally {
      await stop(s);
    }
  }, 60_000);

  test('a models directory that is a file does not stop the service: it says so and scores without models', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const s = await start(file);
    try {
      expect(s.log.some((l) => l.includes('"msg":"models unavailable: '))).toBe(true);
      const health = await api(s, 'GET', '/healthz');
      expect(health.body.models).toEqual({
        state: 'unavailable',
        problem: 'the models directory cannot be used: a part of the path is a file, not a folder (ENOTDIR)',
      });
      expect((await api(s, 'GET', '/api/v1/models')).status).toBe(503);
      const scored = await api(s, 'POST', '/api/v1/score', { series: [series(200)] });
      expect(scored.status).toBe(200);
    } finally {
      await stop(s);
    }
  }, 30_000);
});
