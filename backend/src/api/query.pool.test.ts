/**
 * POST /api/v1/query with the scoring pool (the compiled worker in backend/dist: run
 * `npm run build -w backend` first): Prometheus' answers are parsed in the worker, never on the main
 * thread, and the response is byte for byte what the inline executor answers.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import request from 'supertest';
import { PrometheusClient } from '../sources/prometheus/index.js';
import { FakePrometheus, matrixHandler } from '../sources/prometheus/testing.js';
import { createInlineExecutor, createPoolExecutor, type ScoringExecutor } from './executor.js';
import { testApp } from './testApp.js';

const DIST_WORKER = new URL('../../dist/api/scoreWorker.js', import.meta.url);
const MINUTE = 60_000;
const START = Date.UTC(2025, 0, 13, 12);
const END = START + 60 * MINUTE;

// 40 series over 3 days of history at 1 minute: a ~4 MB answer.
const SERIES = Array.from({ length: 40 }, (_, k) => ({
  labels: { __name__: 'link_bps', link: `link-${k}` },
  f: (t: number) => String(1000 + k + Math.round(300 * Math.sin(t / 3600) + ((t * 7919) % 97))),
}));
const body = { expr: 'link_bps', start: START, end: END, step: '1m', detector: 'robust' };

let prom: FakePrometheus;
const open: ScoringExecutor[] = [];
beforeAll(() => {
  if (!existsSync(fileURLToPath(DIST_WORKER))) {
    throw new Error(`${fileURLToPath(DIST_WORKER)} is missing: run \`npm run build -w backend\` first`);
  }
});
beforeEach(async () => {
  prom = await new FakePrometheus().start();
  prom.handler = matrixHandler(SERIES);
});
afterEach(async () => {
  jest.restoreAllMocks();
  await prom.stop();
  await Promise.all(open.splice(0).map((executor) => executor.close()));
});

function appWith(executor: ScoringExecutor) {
  open.push(executor);
  return testApp({ executor, prometheus: new PrometheusClient({ url: prom.url, timeoutMs: 10_000 }) }).app;
}

/** Counts the JSON.parse calls on this thread that parse a Prometheus answer. */
function countAnswerParses(): () => number {
  const parse = jest.spyOn(JSON, 'parse');
  return () => parse.mock.calls.filter(([text]) => String(text).includes('"resultType"')).length;
}

/** Each request has its own id. */
const withoutId = (text: string) => text.replace(/"requestId":"[^"]*"/, '"requestId":"…"');

describe('POST /api/v1/query with the scoring pool', () => {
  test("Prometheus' answer is parsed in the worker, and /healthz answers meanwhile", async () => {
    const pool = createPoolExecutor({
      threads: 1,
      inlineMaxPoints: 0,
      maxQueuedTasks: 4,
      workerFile: DIST_WORKER,
    });
    await pool.start();
    const app = appWith(pool);
    const parses = countAnswerParses();
    const query = request(app).post('/api/v1/query').send(body);
    const pending = query.then((res) => res);
    const health = await request(app).get('/healthz');
    const res = await pending;
    expect(health.status).toBe(200);
    expect(res.status).toBe(200);
    expect(res.body.query.fetchedSeries).toBe(40);
    expect(parses()).toBe(0);
  });

  test('the inline executor parses on the main thread (what the pool avoids)', async () => {
    prom.handler = matrixHandler(SERIES.slice(0, 3));
    const app = appWith(createInlineExecutor());
    const parses = countAnswerParses();
    await request(app).post('/api/v1/query').send(body).expect(200);
    // One a Prometheus answer: the history at 1 minute is fetched in two requests.
    expect(parses()).toBe(2);
  });

  test('answers, errors included, are byte for byte what the inline executor gives', async () => {
    const pool = createPoolExecutor({
      threads: 1,
      inlineMaxPoints: 0,
      maxQueuedTasks: 4,
      workerFile: DIST_WORKER,
    });
    await pool.start();
    const pooled = appWith(pool);
    const inline = appWith(createInlineExecutor());
    const cases: [string, (typeof prom)['handler']][] = [
      ['matrix', matrixHandler(SERIES.slice(0, 3))],
      ['empty', matrixHandler([])],
      ['garbage with 200', (_req, res) => res.status(200).type('text').send('<html>maintenance</html>')],
      [
        'a wrong shape',
        (_req, res) => res.json({ status: 'success', data: { resultType: 'vector', result: [] } }),
      ],
    ];
    for (const [what, handler] of cases) {
      prom.handler = handler;
      const a = await request(pooled).post('/api/v1/query').send(body);
      const b = await request(inline).post('/api/v1/query').send(body);
      expect({ what, status: a.status, text: withoutId(a.text) }).toEqual({
        what,
        status: b.status,
        text: withoutId(b.text),
      });
    }
  });

  test('413 when the expression returns more series than a request may have', async () => {
    const pool = createPoolExecutor({
      threads: 1,
      inlineMaxPoints: 0,
      maxQueuedTasks: 4,
      workerFile: DIST_WORKER,
    });
    await pool.start();
    const { app } = testApp({
      executor: pool,
      env: { TRAFFICLENS_MAX_SERIES: '2' },
      prometheus: new PrometheusClient({ url: prom.url, timeoutMs: 10_000 }),
    });
    open.push(pool);
    const res = await request(app).post('/api/v1/query').send(body);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain('the expression returned 40 series; the limit is 2');
  });
});
