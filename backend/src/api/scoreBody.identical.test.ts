/**
 * The score route's answer is the engine's answer, byte for byte: the worker's text path
 * (scoreSeriesJson, Utf8Writer) against JSON.stringify of scoreSeries, and a causal request's scores
 * against the engine's streaming scorer fed the same points one by one.
 */
import type { ScoreRequest, SeriesInput } from '../contract/score.js';
import { createStream, scoreSeries, scoreSeriesJson } from '../engine/index.js';
import { dashboardRequest } from '../lab/bench/api.js';
import { partsAsPieces } from './executor.js';
import { ScoreRequestBody } from '../contract/api.js';
import { parseOrThrow } from './errors.js';
import { parseScoreRequest, scoreBody } from './scoreBody.js';

const limits = { maxSeriesPerRequest: 1000, maxPointsPerSeries: 100_000 };

/** The bench's dashboard series, plus the cases the text path could get wrong. */
function request(): ScoreRequest {
  const req = dashboardRequest(4, 1440);
  const [a, b] = req.series;
  // Missing points (null in the answer), a unicode label, an outage (episodes, explanations).
  const gappy: SeriesInput = {
    labels: { site: 'Zürich ✓ 𝄞' },
    unit: 'Mbits',
    timestamps: a.timestamps,
    values: a.values.map((v, i) =>
      i % 97 === 5 || (i > 900 && i < 905) ? null : i > 1200 && i < 1260 ? 0 : v,
    ),
  };
  // A counter (rates, counter resets) and a series too short to leave learning.
  let total = 0;
  const counter: SeriesInput = {
    timestamps: b.timestamps,
    values: b.values.map((v, i) => (i === 700 ? (total = 0) : (total += Math.max(0, v ?? 0)))),
  };
  const short: SeriesInput = { timestamps: a.timestamps.slice(0, 30), values: a.values.slice(0, 30) };
  return { ...req, series: [...req.series, gappy, counter, short] };
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('POST /api/v1/score answers the engine’s own scores', () => {
  const req = request();

  test('scoreSeriesJson is JSON.stringify(scoreSeries), for the default and a causal request', () => {
    for (const options of [undefined, { causal: true }, { counter: true as const }]) {
      for (const s of req.series) {
        expect(scoreSeriesJson(s, { options })).toBe(JSON.stringify(scoreSeries(s, { options })));
      }
    }
  });

  test('the body path answers the engine’s JSON, whole and split in parts', () => {
    const expected = `{"series":[${req.series.map((s) => JSON.stringify(scoreSeries(s))).join(',')}]}`;
    const body = Buffer.from(JSON.stringify(req));
    const whole = scoreBody(scoreSeries, new Uint8Array(body), limits);
    if (!whole.ok) throw new Error(JSON.stringify(whole));
    expect(text(whole.body)).toBe(expected);
    const parts = [0, 1, 2].map((index) => {
      const r = scoreBody(scoreSeries, new Uint8Array(body), limits, undefined, { index, of: 3 });
      if (!r.ok) throw new Error(JSON.stringify(r));
      return r.body;
    });
    expect(text(Buffer.concat(partsAsPieces(parts)))).toBe(expected);
  });

  test('a causal request scores every point as a stream fed the same points does', () => {
    const causal = { ...req, series: req.series.slice(0, 2), options: { causal: true } };
    const answer = scoreBody(scoreSeries, new Uint8Array(Buffer.from(JSON.stringify(causal))), limits);
    if (!answer.ok) throw new Error(JSON.stringify(answer));
    const scored = JSON.parse(text(answer.body)) as {
      series: { score: number[]; expected: (number | null)[] }[];
    };
    causal.series.forEach((s, k) => {
      const stream = createStream();
      const points = s.timestamps.map((t, i) => stream.push(t, s.values[i])!);
      expect(scored.series[k].score).toEqual(points.map((p) => p.score));
      expect(scored.series[k].expected).toEqual(points.map((p) => p.expected));
    });
  });
});

describe('parseScoreRequest (the series’ arrays checked outside zod)', () => {
  const [a, b] = request().series;
  /** The request, or the error thrown, as data. */
  const outcome = (parse: (body: unknown) => unknown, body: unknown) => {
    try {
      return { ok: parse(body) };
    } catch (err) {
      return { error: { ...(err as object), message: (err as Error).message } };
    }
  };
  const bodies: unknown[] = [
    { series: [a, b], sensitivity: 70 },
    { series: [a, { ...b, values: b.values.map((v, i) => (i === 3 ? null : v)) }] },
    { series: [a, { ...b, timestamps: [...b.timestamps.slice(1), 1e20] }] },
    {
      series: [
        { ...a, values: ['x', ...a.values.slice(1)] },
        { ...b, extra: 1 },
      ],
      foo: 1,
    },
    { series: [a, { ...b, values: b.values.slice(1) }], detector: 'nope' },
    { series: [{ ...a, labels: JSON.parse('{"__proto__": "x"}') as object }, b] },
    { series: [{ ...a, unit: 5 }, { timestamps: [-1], values: [null] }, 'x', null] },
    { series: [{ timestamps: [0, 1], values: [1, 2] }], options: { causal: true } },
    { series: [] },
    { series: 'none' },
    [a],
  ];
  test.each(bodies.map((body, i) => [i, body]))('body %i: what zod alone answers', (_, body) => {
    expect(outcome(parseScoreRequest, body)).toEqual(outcome((v) => parseOrThrow(ScoreRequestBody, v), body));
  });
});
