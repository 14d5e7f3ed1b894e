import { createStream, type ScoreParams } from '../engine/index.js';
import type { ModelBundle } from '../neural/artifacts.js';
import { recordLimit, RecordedStream, replayStream } from './replay.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 13, 12);
const params: ScoreParams = {
  detector: 'robust',
  sensitivity: 50,
  options: { counter: false, causal: true },
  stepMs: MINUTE,
};
const model = { id: 'm', version: 3 };
/** Only the version is read by replayStream; the stream factory below ignores the model. */
const bundle = { metadata: { version: 3 } } as unknown as ModelBundle;
const trained = { id: 'm', version: 3, state: 'ready' as const };
const statistical = (p: ScoreParams) => createStream({ ...p, model: undefined, trained: undefined });

const value = (i: number) => (i === 17 ? null : 100 + 10 * Math.sin(i / 7) + (i > 150 ? 60 : 0));

test('a replayed record continues exactly as the recorded stream would (missing values, ignored repeats)', async () => {
  const original = new RecordedStream(createStream(params), params, model, 1000);
  for (let i = 0; i < 160; i++) {
    original.push(T0 + i * MINUTE, value(i));
    if (i === 40) original.push(T0 + i * MINUTE, 5); // a repeat: ignored by the engine, not recorded
  }
  const saved = JSON.parse(JSON.stringify(original.recorded())) as ReturnType<RecordedStream['recorded']>;
  expect(saved).toMatchObject({ model, complete: true, count: 160 });
  const replayed = await replayStream(saved, bundle, trained, statistical, 1000);
  for (let i = 160; i < 200; i++) {
    expect(replayed.push(T0 + i * MINUTE, value(i))).toEqual(original.push(T0 + i * MINUTE, value(i)));
  }
  expect(replayed.episodes()).toEqual(original.episodes());
  expect(replayed.episodes().length).toBeGreaterThan(0);
  expect(replayed.recordedPoints).toBe(200);
});

test('past its limit a record is incomplete and empty, and is not replayed', async () => {
  const stream = new RecordedStream(createStream(params), params, model, 5);
  for (let i = 0; i < 5; i++) stream.push(T0 + i * MINUTE, 1);
  expect(stream.recorded()).toMatchObject({ complete: true, count: 5 });
  stream.push(T0 + 5 * MINUTE, 1);
  const state = stream.recorded();
  expect(state).toMatchObject({ complete: false, count: 0, timestamps: '', values: '' });
  await expect(replayStream(state, bundle, trained, statistical, 5)).rejects.toThrow(
    'the record of its points is incomplete',
  );
});

test('another model version or a damaged record is refused', async () => {
  const stream = new RecordedStream(createStream(params), params, model, 10);
  stream.push(T0, 1);
  const state = stream.recorded();
  const v4 = { metadata: { version: 4 } } as unknown as ModelBundle;
  await expect(replayStream(state, v4, trained, statistical, 10)).rejects.toThrow(
    'model version 4 is not the recorded 3',
  );
  await expect(replayStream({ ...state, count: 2 }, bundle, trained, statistical, 10)).rejects.toThrow(
    'timestamps: 8 bytes for 2 points',
  );
});

test('the limit covers the fit window and a refit interval (or a second fit window)', () => {
  expect(recordLimit({ fitWindowMs: 360 * MINUTE, fitEveryMs: 60 * MINUTE, stepMs: MINUTE })).toBe(541);
  expect(recordLimit({ fitWindowMs: 360 * MINUTE, fitEveryMs: null, stepMs: MINUTE })).toBe(916);
});

test('a point held by a maintenance window gives up the record: a restart rebuilds the series instead', () => {
  const stream = new RecordedStream(createStream(params), params, model, 1000);
  for (let i = 0; i < 20; i++) stream.push(T0 + i * MINUTE, value(i));
  expect(stream.recorded()).toMatchObject({ complete: true, count: 20 });
  // Replaying would learn the held point as usual, so the record could not reproduce the stream.
  expect(stream.push(T0 + 20 * MINUTE, value(20), { hold: true })).not.toBeNull();
  stream.push(T0 + 21 * MINUTE, value(21));
  expect(stream.recorded()).toMatchObject({ complete: false, count: 0 });
});
