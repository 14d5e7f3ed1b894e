/**
 * The worker pool against the compiled worker in backend/dist: jest runs TypeScript sources, which
 * a worker thread cannot load, so these tests need `npm run build -w backend` first (they fail,
 * rather than skip, when the build is missing). The pool logic under test is this source tree's.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import request from 'supertest';
import type { SeriesInput, SeriesScore } from '../contract/score.js';
import type { PreviewTask } from '../jobs/preview.js';
import {
  createInlineExecutor,
  createPoolExecutor,
  type PoolExecutorOptions,
  type ScoringExecutor,
} from './executor.js';
import { testApp } from './testApp.js';

const DIST_WORKER = new URL('../../dist/api/scoreWorker.js', import.meta.url);

const series = (n: number, name: string): SeriesInput => ({
  labels: { name },
  timestamps: Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000),
  values: Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin(i / 12) + (i % 97 === 0 ? 50 : 0)),
});

const neverInline = () => {
  throw new Error('this request should have been scored in the pool');
};

const open: ScoringExecutor[] = [];
function pool(options: Partial<PoolExecutorOptions> = {}): ScoringExecutor {
  const executor = createPoolExecutor({
    threads: 2,
    inlineMaxPoints: 0,
    maxQueuedTasks: 16,
    workerFile: DIST_WORKER,
    score: neverInline,
    ...options,
  });
  open.push(executor);
  return executor;
}

beforeAll(() => {
  if (!existsSync(fileURLToPath(DIST_WORKER))) {
    throw new Error(
      `${fileURLToPath(DIST_WORKER)} is missing: run \`npm run build -w backend\` before these tests`,
    );
  }
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/** A job's retained points as the preview replays them: two series with a burst each. */
function previewTask(): PreviewTask {
  const n = 1500;
  const timestamps = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000);
  const seriesTask = (k: number) => ({
    labels: { name: `s${k}` },
    timestamps,
    values: timestamps.map(
      (_, i) => (100 + 10 * Math.sin(i / 12)) * (i >= 900 + 40 * k && i < 906 + 40 * k ? 1.6 : 1),
    ),
    held: k === 1 ? [{ start: timestamps[1200], end: timestamps[1300] }] : [],
    current: 50,
    liveStarts: [],
    runs: [30, 80, 50],
    offset: 17 * k,
  });
  return {
    job: 'edge',
    params: { detector: 'auto', options: { counter: false, causal: true }, stepMs: 60_000 },
    stepMs: 60_000,
    candidates: [30, 80],
    series: [seriesTask(0), seriesTask(1)],
  };
}

describe('the scoring pool (compiled worker)', () => {
  test('an alert-volume preview replays in a worker exactly as on the main thread', async () => {
    const task = previewTask();
    const executor = pool();
    await executor.start();
    const inPool = await executor.preview(task);
    expect(inPool).toEqual(await createInlineExecutor().preview(task));
    expect(inPool.candidates.map((c) => c.episodes)).not.toEqual([0, 0]);
  });

  test('a preview is cancelled with its signal', async () => {
    const executor = pool();
    await executor.start();
    const controller = new AbortController();
    const running = executor.preview(previewTask(), { signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toMatchObject({ kind: 'aborted' });
  });

  test('starts: the worker module and the engine it imports load', async () => {
    const executor = pool();
    expect(executor.isReady()).toBe(false);
    await executor.start();
    expect(executor.isReady()).toBe(true);
    expect(executor.stats()).toMatchObject({ mode: 'pool', threads: 2, queuedTasks: 0 });
  });

  test('scores large requests in the workers with the same result as inline scoring, in order', async () => {
    const executor = pool();
    await executor.start();
    const request = {
      series: ['a', 'b', 'c', 'd', 'e'].map((name, i) => series(200 + 100 * i, name)),
      detector: 'robust' as const,
      options: { causal: true },
    };
    const pooled = await executor.score(request);
    const inline = await createInlineExecutor().score(request);
    expect(pooled).toEqual(inline);
    expect(pooled.map((j) => (JSON.parse(j) as SeriesScore).labels.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('a window cuts the scored series in the workers as it does inline', async () => {
    const executor = pool();
    await executor.start();
    const request = { series: ['a', 'b', 'c'].map((name) => series(400, name)) };
    const window = { from: 1_700_000_000_000 + 100 * 60_000, to: 1_700_000_000_000 + 199 * 60_000 };
    const pooled = await executor.score(request, undefined, undefined, window);
    expect(pooled).toEqual(await createInlineExecutor().score(request, undefined, undefined, window));
    expect(pooled.map((j) => (JSON.parse(j) as SeriesScore).timestamps.length)).toEqual([100, 100, 100]);
  });

  test('a raw body is parsed, validated and scored in a worker, answering as the inline executor does', async () => {
    const executor = pool();
    await executor.start();
    const limits = { maxSeriesPerRequest: 10, maxPointsPerSeries: 1000 };
    const bodies = [
      JSON.stringify({ series: [series(300, 'a'), series(200, 'b')], detector: 'robust' }),
      '{"series": [',
      JSON.stringify({ series: [{ timestamps: [1, 2], values: [1] }] }),
      JSON.stringify({ series: [series(1001, 'long')] }),
      JSON.stringify({ series: [series(10, 'x')], model: 'm' }),
    ];
    const decode = (r: Awaited<ReturnType<ScoringExecutor['scoreBody']>>) =>
      'pieces' in r ? { ...r, pieces: Buffer.concat(r.pieces).toString('utf8') } : r;
    for (const text of bodies) {
      const pooled = await executor.scoreBody(new Uint8Array(Buffer.from(text)), { limits });
      const inline = await createInlineExecutor().scoreBody(new Uint8Array(Buffer.from(text)), { limits });
      expect(decode(pooled)).toEqual(decode(inline));
    }
    const scored = decode(await executor.scoreBody(Buffer.from(bodies[0]), { limits }));
    expect(scored).toMatchObject({ ok: true, points: 500, detector: 'robust' });
    expect(JSON.parse((scored as { pieces: string }).pieces).series).toHaveLength(2);
  });

  test('a large body is split between the idle workers and answered byte for byte as inline', async () => {
    const executor = pool({ threads: 3, splitBodyBytes: 0 });
    await executor.start();
    const limits = { maxSeriesPerRequest: 10, maxPointsPerSeries: 1000 };
    const bodies = [
      // More series than workers, fewer, one, none; labels beyond ASCII; a model to resolve; malformed.
      JSON.stringify({ series: [0, 1, 2, 3, 4].map((k) => series(100 + 50 * k, `s${k} ✓ Ü`)) }),
      JSON.stringify({ series: [series(300, 'a'), series(200, 'b')], detector: 'robust' }),
      JSON.stringify({ series: [series(300, 'only')] }),
      JSON.stringify({ series: [] }),
      JSON.stringify({ series: [series(10, 'x')], model: 'm' }),
      '{"series": [',
    ];
    const decode = (r: Awaited<ReturnType<ScoringExecutor['scoreBody']>>) =>
      'pieces' in r ? { ...r, pieces: Buffer.concat(r.pieces).toString('utf8') } : r;
    for (const text of bodies) {
      const pooled = await executor.scoreBody(new Uint8Array(Buffer.from(text)), { limits });
      const inline = await createInlineExecutor().scoreBody(new Uint8Array(Buffer.from(text)), { limits });
      expect(decode(pooled)).toEqual(decode(inline));
    }
    const five = decode(await executor.scoreBody(Buffer.from(bodies[0]), { limits }));
    const names = JSON.parse((five as { pieces: string }).pieces).series.map(
      (s: SeriesScore) => s.labels.name,
    );
    expect(names).toEqual([0, 1, 2, 3, 4].map((k) => `s${k} ✓ Ü`));
  });

  test("a split body's answer goes out as the workers' parts: the same bytes as inline, never joined on this thread", async () => {
    const text = JSON.stringify({ series: [0, 1, 2, 3].map((k) => series(400, `s${k}`)) });
    const send = (executor: ScoringExecutor) =>
      request(testApp({ executor }).app)
        .post('/api/v1/score')
        .set('Content-Type', 'application/json')
        .send(text);
    const inline = await send(createInlineExecutor());
    const concat = jest.spyOn(Buffer, 'concat');
    try {
      const split = await send(pool({ threads: 3, splitBodyBytes: 0 }));
      expect(split.status).toBe(200);
      expect(split.headers['content-length']).toBe(inline.headers['content-length']);
      expect(split.text).toBe(inline.text);
      // Joining the parts copied the whole answer here (Buffer.concat of the pieces, in scoreBody.ts).
      const largest = Math.max(0, ...concat.mock.results.map((r) => (r.value as Buffer).length));
      expect(largest).toBeLessThan(Buffer.byteLength(inline.text));
    } finally {
      concat.mockRestore();
    }
  });

  test('scores small requests inline, without a worker round trip', async () => {
    const executor = pool({
      inlineMaxPoints: 100,
      score: (input) => ({ labels: input.labels, inline: true }) as unknown as SeriesScore,
    });
    const [json] = await executor.score({ series: [series(100, 'small')] });
    expect(JSON.parse(json)).toEqual({ labels: { name: 'small' }, inline: true });
  });

  test('a small request whose timestamps expand to a large grid goes to the pool, not inline', async () => {
    const executor = pool({ inlineMaxPoints: 100 });
    await executor.start();
    const sparse = {
      timestamps: [1_700_000_000_000, 1_700_000_000_001, 1_700_001_000_000],
      values: [1, 2, 3],
    };
    const [json] = await executor.score({ series: [sparse] });
    expect((JSON.parse(json) as SeriesScore).cleaning.outputPoints).toBeGreaterThan(100);
  });

  test('an engine refusal in a worker names the series index of the whole request', async () => {
    const executor = pool();
    await executor.start();
    const broken = { ...series(10, 'broken'), values: [1, 2, 3] };
    const request = {
      series: [series(300, 'a'), series(300, 'b'), series(300, 'c'), broken, series(50, 'e')],
    };
    await expect(executor.score(request)).rejects.toMatchObject({
      name: 'ScoringError',
      kind: 'input',
      seriesIndex: 3,
    });
  });

  test('work whose client has gone is not run', async () => {
    const executor = pool();
    await executor.start();
    const controller = new AbortController();
    controller.abort();
    await expect(executor.score({ series: [series(500, 'a')] }, controller.signal)).rejects.toMatchObject({
      kind: 'aborted',
    });
  });

  test('waiting requests are scored in the order they came: none is overtaken by later ones', async () => {
    const executor = pool({ threads: 1, maxQueuedTasks: 64 });
    await executor.start();
    const limits = { maxSeriesPerRequest: 10, maxPointsPerSeries: 1000 };
    const body = JSON.stringify({ series: [series(300, 'a')] });
    let submitted = 0;
    const order: { submitted: number; done: number }[] = [];
    // Closed-loop clients, as under load: each sends its next request as soon as one is answered.
    const client = async () => {
      for (let i = 0; i < 6; i++) {
        const mine = submitted++;
        const result = await executor.scoreBody(new Uint8Array(Buffer.from(body)), { limits });
        expect(result.ok).toBe(true);
        order.push({ submitted: mine, done: order.length });
      }
    };
    await Promise.all(Array.from({ length: 4 }, client));
    const overtaken = order.filter((a) => order.some((b) => b.submitted > a.submitted && b.done < a.done));
    expect(overtaken).toEqual([]);
  });

  test('requests beyond the queue limit are refused as overloaded, the others complete', async () => {
    const executor = pool({ threads: 1, maxQueuedTasks: 1 });
    await executor.start();
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((name) => executor.score({ series: [series(3000, name)] })),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ kind: 'overloaded' });
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
  });

  test('work running past the timeout is cancelled with a timeout error', async () => {
    const executor = pool({ timeoutMs: 1 });
    await executor.start();
    await expect(executor.score({ series: [series(50_000, 'long')] })).rejects.toMatchObject({
      kind: 'timeout',
    });
  });

  test('close refuses the requests still waiting for a worker instead of leaving them pending', async () => {
    const executor = pool({ threads: 1 });
    await executor.start();
    const running = executor.score({ series: [series(50_000, 'long')] });
    const waiting = executor.score({ series: [series(500, 'next')] });
    const settled = Promise.allSettled([running, waiting]);
    await executor.close();
    const [, next] = await settled;
    expect(next.status).toBe('rejected');
    expect((next as PromiseRejectedResult).reason).toMatchObject({ kind: 'overloaded' });
  });

  test('after close it is not ready and refuses pooled work', async () => {
    const executor = pool();
    await executor.start();
    await executor.close();
    expect(executor.isReady()).toBe(false);
    await expect(executor.score({ series: [series(500, 'a')] })).rejects.toMatchObject({
      kind: 'overloaded',
    });
  });

  test('a missing worker file fails start() with an error naming the file', async () => {
    const executor = pool({ workerFile: new URL('./no-such-worker.js', DIST_WORKER) });
    await expect(executor.start()).rejects.toMatchObject({
      kind: 'worker',
      message: expect.stringContaining('no-such-worker.js could not start'),
    });
    expect(executor.isReady()).toBe(false);
  });
});
