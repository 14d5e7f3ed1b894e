/**
 * `trafficlens score --causal` for a file of any size: the CSV streamed through the engine's causal
 * stream in memory that does not grow with the file, printing exactly the bytes the in-memory path
 * (scoreSeries with causal, then rows.ts and format.ts) prints for the same file.
 *
 * The in-memory path decides three things from the whole series before scoring (series/clean.ts):
 * the grid's step (the median spacing, coarsened when the span would need too many slots), the grid's
 * anchor (the first sample) and whether the series is a counter (looksLikeCounter on the gridded
 * values). So the file is read two or three times: (1) check every row and measure the spacing,
 * (2) grid the values and decide counter or not — skipped when no slot can hold two samples (integer
 * timestamps at least one step apart), where pass 1 already saw the gridded values —, (3) grid again
 * and score slot by slot, each input row printed once its slot is scored. Rows must be in time order
 * (the in-memory path sorts them; streaming cannot: such a file is scored in memory if it fits).
 *
 * Memory: one batch of rows, the distinct spacings (a handful for a regular series), the stream's
 * state, and the rows printed before the series leaves learning (their state says `learning` only
 * if the series ever leaves it, which is known then).
 */
import { stat } from 'node:fs/promises';
import type { SeriesState } from '../contract/score.js';
import { createStream, scoreSeries, type ScoreParams, type StreamPoint } from '../engine/index.js';
import { defaultMaxGrid, withSample } from '../series/clean.js';
import { readSeriesRows } from './csvRows.js';
import { SCORE_CSV_HEADER } from './format.js';
import type { CliOutput } from './io.js';
import { createProgress } from './progress.js';
import { fallbackNote } from './notes.js';

/** Files from this size show progress (three passes) on stderr. */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** Distinct spacings kept to find the median: a regular series has a few, a jittered one many. */
const MAX_DISTINCT_STEPS = 1_000_000;

export interface StreamScoreOptions {
  params: ScoreParams;
  /** Print the grid's slots instead of the input's rows (--grid). */
  grid: boolean;
  stdout: CliOutput;
  stderr: CliOutput;
  /** Rows per batch (tests use small ones). */
  batch?: number;
  /** Show progress from this file size (default PROGRESS_MIN_BYTES). */
  progressMinBytes?: number;
}

/** series/clean.ts looksLikeCounter, fed one gridded value at a time. */
class CounterCheck {
  private prev = NaN;
  private ups = 0;
  private downs = 0;
  private steps = 0;
  private negative = false;

  push(v: number): void {
    if (v < 0) this.negative = true;
    if (!Number.isNaN(this.prev)) {
      this.steps++;
      if (v > this.prev) this.ups++;
      else if (v < this.prev) this.downs++;
    }
    this.prev = v;
  }

  result(): boolean {
    if (this.negative || this.steps < 10) return false;
    return this.ups >= 0.5 * this.steps && this.downs <= Math.max(1, 0.01 * this.steps);
  }
}

/** What pass 1 learns: the grid, and the counter decision when no slot can hold two samples. */
interface Shape {
  rows: number;
  t0: number;
  step: number;
  points: number;
  /** looksLikeCounter's answer when every slot holds at most one sample, else null (pass 2 decides). */
  counter: boolean | null;
}

export class NotStreamable extends Error {}

async function measure(path: string, batch: number, onBytes: (b: number) => void): Promise<Shape> {
  let rows = 0;
  let distinct = 0;
  let t0 = NaN;
  let prev = NaN;
  let pendingV = NaN;
  let integers = true;
  let minSpacing = Infinity;
  const counter = new CounterCheck();
  const steps = new Map<number, number>();
  for await (const chunk of readSeriesRows(path, { batch, onBytes })) {
    for (const { t, v } of chunk) {
      rows++;
      const value = v !== null && Number.isFinite(v) ? v : NaN;
      if (!Number.isInteger(t)) integers = false;
      if (rows === 1) {
        t0 = t;
        distinct = 1;
        pendingV = value;
      } else if (t < prev) {
        throw new NotStreamable(
          `its rows are not in time order (row ${rows} is before row ${rows - 1}); sort the file by timestamp`,
        );
      } else if (t > prev) {
        distinct++;
        const d = t - prev;
        minSpacing = Math.min(minSpacing, d);
        steps.set(d, (steps.get(d) ?? 0) + 1);
        if (steps.size > MAX_DISTINCT_STEPS) {
          throw new NotStreamable(
            `its timestamps are too irregular to stream (more than ${MAX_DISTINCT_STEPS} distinct spacings)`,
          );
        }
        if (!Number.isNaN(pendingV)) counter.push(pendingV);
        pendingV = value;
      } else if (!Number.isNaN(value)) {
        pendingV = value; // a duplicate timestamp: the later valid sample wins
      }
      prev = t;
    }
  }
  if (!Number.isNaN(pendingV)) counter.push(pendingV);
  // series/clean.ts gridShape over the distinct timestamps, from the spacings' multiset.
  const span = prev - t0;
  let step = 0;
  const total = distinct - 1;
  if (total > 0) {
    const median = Math.floor((total - 1) / 2);
    let seen = 0;
    for (const d of [...steps.keys()].sort((a, b) => a - b)) {
      seen += steps.get(d)!;
      if (seen > median) {
        step = d;
        break;
      }
    }
  }
  const median = step;
  const maxGrid = defaultMaxGrid(distinct);
  if (step > 0 && span / step + 1 > maxGrid) step = span / (maxGrid - 1);
  // Integer times at least one (uncoarsened) step apart round to distinct slots, so the gridded
  // values are the samples themselves and pass 1 has already seen what looksLikeCounter sees.
  const oneSamplePerSlot = integers && step === median && minSpacing >= step;
  return {
    rows,
    t0,
    step,
    points: step > 0 ? Math.round(span / step) + 1 : 1,
    counter: oneSamplePerSlot || distinct === 1 ? counter.result() : null,
  };
}

/**
 * The gridded values in slot order, as cleanSeries computes them: duplicate timestamps keep their
 * last valid value, a slot is the mean of the valid samples that round to it. After each batch of
 * rows, `batchDone` gets the slots completed by it (`[k, value]`, slots without a value left out:
 * the callers fill them in) and the batch's timestamps; at the end, the last slot.
 */
async function gridded(
  path: string,
  shape: Shape,
  batch: number,
  onBytes: (b: number) => void,
  batchDone: (slots: [number, number][], timestamps: number[]) => void | Promise<void>,
): Promise<void> {
  const { t0, step, points } = shape;
  let current = -1;
  let mean = 0;
  let count = 0;
  let pendingT = NaN;
  let pendingV = NaN;
  let slots: [number, number][] = [];
  const closeSample = () => {
    if (Number.isNaN(pendingT) || Number.isNaN(pendingV)) return;
    const k = step > 0 ? Math.min(points - 1, Math.round((pendingT - t0) / step)) : 0;
    if (k !== current) {
      if (count > 0) slots.push([current, mean]);
      current = k;
      mean = 0;
      count = 0;
    }
    mean = withSample(mean, pendingV, ++count);
  };
  for await (const chunk of readSeriesRows(path, { batch, onBytes })) {
    const timestamps = new Array<number>(chunk.length);
    for (let i = 0; i < chunk.length; i++) {
      const { t, v } = chunk[i];
      timestamps[i] = t;
      const value = v !== null && Number.isFinite(v) ? v : NaN;
      if (t === pendingT) {
        // The later sample wins, unless it is missing.
        if (!Number.isNaN(value)) pendingV = value;
      } else {
        closeSample();
        pendingT = t;
        pendingV = value;
      }
    }
    const done = slots;
    slots = [];
    await batchDone(done, timestamps);
  }
  closeSample();
  if (count > 0) slots.push([current, mean]);
  await batchDone(slots, []);
}

const cell = (x: number | null | undefined): string =>
  x === null || x === undefined || Number.isNaN(x) ? '' : String(x);

function csvLine(t: number, p: StreamPoint, state: SeriesState): string {
  const anomaly = p.score >= 1;
  return [
    new Date(t).toISOString(),
    cell(p.value),
    String(p.score),
    cell(p.expected),
    cell(p.lower),
    cell(p.upper),
    anomaly ? 'true' : 'false',
    anomaly ? (p.direction ?? '') : '',
    state,
  ].join(',');
}

/** Writes lines in blocks, waiting for a stream that asks to (a pipe to a slow reader). */
class LineWriter {
  private lines: string[] = [];
  constructor(private readonly out: CliOutput) {}

  push(line: string): void {
    this.lines.push(line);
  }

  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n') + '\n';
    this.lines = [];
    const out = this.out as CliOutput & { once?: (event: string, fn: () => void) => void };
    if (out.write(text) === false && typeof out.once === 'function') {
      await new Promise<void>((resolve) => out.once!('drain', resolve));
    }
  }
}

/**
 * Scores `path` causally, streaming, and prints the CSV. Throws NotStreamable (before printing
 * anything) for a file whose rows are not in time order or whose spacing is too irregular.
 */
export async function streamScoreCsv(path: string, options: StreamScoreOptions): Promise<void> {
  const batch = options.batch ?? 8192;
  const size = (await stat(path)).size;
  const progress =
    size >= (options.progressMinBytes ?? PROGRESS_MIN_BYTES)
      ? createProgress(options.stderr, 'passes')
      : null;
  let bytes = 0;
  const onBytes = (b: number) => (bytes = b);
  let passes = 3;
  let pass = 0;
  const timed = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    pass++;
    progress?.start(pass, passes, label);
    const result = await run();
    progress?.done(pass, passes, `${label}: ${bytes} bytes read`, Date.now() - started);
    return result;
  };

  const shape = await timed('checking rows and spacing', async () => {
    const measured = await measure(path, batch, onBytes);
    if (measured.counter !== null) passes = 2;
    return measured;
  });
  const { t0, step, points } = shape;
  let isCounter = shape.counter;
  if (isCounter === null) {
    const counter = new CounterCheck();
    await timed('gridding to check for a counter', () =>
      gridded(path, shape, batch, onBytes, (slots) => {
        for (const [, v] of slots) counter.push(v);
      }),
    );
    isCounter = counter.result();
  }

  const options_ = options.params.options ?? {};
  const params: ScoreParams = {
    ...options.params,
    options: { ...options_, counter: isCounter },
    ...(options.params.stepMs || !(step > 0) ? {} : { stepMs: step }),
  };
  // What the in-memory path reports about the series, from a one-point run with the same parameters.
  const probe = scoreSeries({ timestamps: [t0], values: [null] }, params);
  const learningPoints = probe.model.learningPoints;
  const fallback = probe.model.fallback ?? null;
  const stream = createStream(params);
  if (fallback) options.stderr.write(`trafficlens: ${fallbackNote(path, fallback.from, probe.detector)}\n`);

  const out = new LineWriter(options.stdout);
  out.push(SCORE_CSV_HEADER);
  // Rows held until the series' final state is known: `ok` once it has seen learningPoints values
  // (a fallback never is: `learning` once it has seen one), else whatever it ends as.
  let valid = 0;
  let finalKnown: SeriesState | null = null;
  let held: { t: number; p: StreamPoint }[] = [];
  const settled = (): SeriesState | null => {
    if (fallback) return valid > 0 ? 'learning' : null;
    return valid >= learningPoints ? 'ok' : null;
  };
  const emit = (t: number, p: StreamPoint) => {
    if (finalKnown === null) {
      held.push({ t, p });
      finalKnown = settled();
      if (finalKnown === null) return;
      for (const h of held) out.push(csvLine(h.t, h.p, finalKnown === 'ok' ? h.p.state : finalKnown));
      held = [];
      return;
    }
    out.push(csvLine(t, p, finalKnown === 'ok' ? p.state : finalKnown));
  };

  // Slots scored so far, for the rows that map to them (rows.ts slotsOf: the nearest slot).
  const scored = new Map<number, StreamPoint>();
  let next = 0;
  const scoreUpTo = (k: number, value: number | null) => {
    for (; next <= k; next++) {
      const p = stream.push(t0 + next * step, next === k ? value : null)!;
      if (p.value !== null) valid++;
      if (options.grid) emit(t0 + next * step, p);
      else scored.set(next, p);
    }
  };
  const slotOf = (t: number): number => {
    if (!(step > 0)) return 0;
    let k = Math.max(0, Math.min(points - 1, Math.floor((t - t0) / step)));
    while (k + 1 < points && t0 + (k + 1) * step <= t) k++;
    while (k > 0 && t0 + k * step > t) k--;
    if (k + 1 < points && t0 + (k + 1) * step - t <= t - (t0 + k * step)) k++;
    return k;
  };
  // Input rows whose slot is not scored yet (a row's slot completes when a later slot's sample comes).
  let waiting: { t: number; k: number }[] = [];
  const release = () => {
    let i = 0;
    for (; i < waiting.length && waiting[i].k < next; i++) emit(waiting[i].t, scored.get(waiting[i].k)!);
    if (i > 0) {
      const lowest = waiting[i - 1].k;
      waiting = waiting.slice(i);
      for (const k of scored.keys()) {
        if (k >= lowest) break;
        scored.delete(k);
      }
    }
  };
  await timed('scoring', () =>
    gridded(path, shape, batch, onBytes, async (slots, timestamps) => {
      if (!options.grid) for (const t of timestamps) waiting.push({ t, k: slotOf(t) });
      for (const [k, v] of slots) {
        scoreUpTo(k, v);
        if (!options.grid) release();
      }
      await out.flush();
    }),
  );
  scoreUpTo(points - 1, null);
  release();
  if (finalKnown === null) {
    const state: SeriesState = valid === 0 ? 'no_data' : 'learning';
    for (const h of held) out.push(csvLine(h.t, h.p, state));
    held = [];
    if (!fallback && state === 'learning') {
      options.stderr.write(
        `trafficlens: ${path}: the series is still learning: ${valid} points, detector ${probe.detector} needs ${learningPoints} before it scores; every score is 0 (state "learning").\n`,
      );
    }
  }
  await out.flush();
  progress?.stop();
}
