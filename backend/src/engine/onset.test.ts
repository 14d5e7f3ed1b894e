/**
 * Issue 11: a sustained shift's episode says when the shift began. The CUSUM (detectors/components/cusum.ts)
 * knows its run's first point, which is earlier than the first flagged point for a shift of a few σ, so
 * "level shift since T" tells an operator the onset, not the moment the band was crossed.
 */
import { findScenario } from '../lab/scenarios/index.js';
import { createStream, scoreSeries } from './index.js';

const MINUTE = 60_000;

describe('a 3σ shift’s episode says when it began', () => {
  const s = findScenario('shift_3sigma')!.generate(1);
  const incident = s.incidents[0]!;
  const onset = incident.start;
  const overlapping = <E extends { start: number; end: number }>(episodes: E[]): E =>
    episodes.find((e) => e.end >= onset && e.start <= incident.end)!;

  test('batch scoring: since within 2 minutes of the onset, minutes before its first flagged point', () => {
    const r = scoreSeries({ timestamps: s.timestamps, values: s.values }, { options: { causal: true } });
    const e = overlapping(r.episodes);
    expect(e.explanation.kind).toBe('level_shift');
    expect(Math.abs(e.explanation.since! - onset)).toBeLessThanOrEqual(2 * MINUTE);
    expect(e.start - e.explanation.since!).toBeGreaterThanOrEqual(3 * MINUTE);
    expect(e.explanation.summary).toMatch(/since 2024-01-\d\d \d\d:\d\d UTC \(flagged from \d\d:\d\d UTC\)/);
  });

  test('a stream with its step (as continuous jobs create them) says the same; without a step, its start', () => {
    const stream = createStream({ options: { causal: true }, stepMs: MINUTE });
    const stepless = createStream({ options: { causal: true } });
    s.timestamps.forEach((t, i) => stepless.push(t, s.values[i] ?? NaN));
    // Without a step (which also snaps a detected period to the day) no onset is known: "since" its start.
    const sustained = stepless.episodes().filter((e) => e.explanation?.since !== undefined);
    expect(sustained.length).toBeGreaterThan(0);
    for (const e of sustained) expect(e.explanation!.since).toBe(e.start);
    s.timestamps.forEach((t, i) => stream.push(t, s.values[i] ?? NaN));
    const batch = scoreSeries({ timestamps: s.timestamps, values: s.values }, { options: { causal: true } });
    expect(overlapping(stream.episodes()).explanation?.since).toBe(
      overlapping(batch.episodes).explanation.since,
    );
  });
});
