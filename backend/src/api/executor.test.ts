import type { SeriesInput, SeriesScore } from '../contract/score.js';
import { EngineError } from '../engine/index.js';
import { ScoringError, createInlineExecutor, createScoringExecutor, partition } from './executor.js';
import type { ScoreFn } from './scoring.js';

const s = (n: number, name = String(n)): SeriesInput => ({
  labels: { name },
  timestamps: Array.from({ length: n }, (_, i) => i),
  values: Array.from({ length: n }, () => 1),
});

/** A stand-in for the engine that echoes the labels, enough to check order and error mapping. */
const echo: ScoreFn = (input) => ({ labels: input.labels ?? {} }) as unknown as SeriesScore;

describe('partition', () => {
  test.each([
    [[10, 10, 10, 10], 2, [2, 2]],
    [[100, 1, 1, 1], 2, [1, 3]],
    [[1, 1, 1, 100], 2, [3, 1]],
    [[5], 4, [1]],
    [[0, 0, 0], 2, [1, 2]],
    [[3, 3, 3, 3, 3, 3], 3, [2, 2, 2]],
    [[1, 2, 3], 1, [3]],
  ])('splits series of %j points into %i contiguous chunks of %j series', (points, parts, sizes) => {
    const series = points.map((n, i) => s(n, `s${i}`));
    const chunks = partition(series, parts);
    expect(chunks.map((c) => c.series.length)).toEqual(sizes);
    // Concatenating the chunks gives the request back, in order, with the right offsets.
    expect(chunks.flatMap((c) => c.series)).toEqual(series);
    expect(chunks.map((c) => c.offset)).toEqual(
      sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0)),
    );
  });

  test('never makes more chunks than asked for, nor empty ones', () => {
    for (let parts = 1; parts <= 6; parts++) {
      const chunks = partition([s(7), s(1), s(0), s(9), s(2)], parts);
      expect(chunks.length).toBeLessThanOrEqual(parts);
      for (const chunk of chunks) expect(chunk.series.length).toBeGreaterThan(0);
    }
  });
});

describe('the inline executor', () => {
  test('scores every series in order and returns each as JSON', async () => {
    const executor = createInlineExecutor(echo);
    const json = await executor.score({ series: [s(1, 'a'), s(2, 'b')] });
    expect(json.map((j) => JSON.parse(j).labels.name)).toEqual(['a', 'b']);
  });

  test('names the failing series in an engine error', async () => {
    const executor = createInlineExecutor((input) => {
      if (input.labels?.name === 'bad') throw new Error('cannot score');
      return echo(input, {});
    });
    const err = await executor.score({ series: [s(1), s(1, 'bad')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScoringError);
    expect(err).toMatchObject({
      kind: 'engine',
      seriesIndex: 1,
      message: 'scoring series[1] failed: cannot score',
    });
  });

  test('turns an EngineError of the input stage into an input error (a client error)', async () => {
    const executor = createInlineExecutor(() => {
      throw new EngineError('input', 'timestamps and values must have the same length');
    });
    await expect(executor.score({ series: [s(1)] })).rejects.toMatchObject({ kind: 'input', seriesIndex: 0 });
  });

  test('refuses work whose client has already gone', async () => {
    const executor = createInlineExecutor(echo);
    const controller = new AbortController();
    controller.abort();
    await expect(executor.score({ series: [s(1)] }, controller.signal)).rejects.toMatchObject({
      kind: 'aborted',
    });
  });

  test('is ready at once and reports no threads', async () => {
    const executor = createInlineExecutor(echo);
    await executor.start();
    expect(executor.isReady()).toBe(true);
    expect(executor.stats()).toEqual({ mode: 'inline', threads: 0, queuedTasks: 0, utilization: 0 });
  });

  test('is what zero worker threads configure', () => {
    const executor = createScoringExecutor({ workerThreads: 0, inlineMaxPoints: 0, maxQueuedTasks: 1 });
    expect(executor.stats().mode).toBe('inline');
  });
});
