import { LearningGate } from './gate.js';

const MINUTE = 60_000;
const opts = (acceptAfterPoints: number | null) => ({
  holdLevel: 0.7,
  closeAfter: 3,
  acceptNewLevelAfter: acceptAfterPoints === null ? null : acceptAfterPoints * MINUTE,
});

/** Feed scores one minute apart (x 50 against expected 100: a drop, not toward zero). */
function feed(gate: LearningGate, scores: number[], from = 0) {
  return scores.map((s, i) => {
    const mode = gate.next((from + i) * MINUTE, s, 50, 100);
    return { mode, acceptedAfter: gate.acceptedAfter, open: gate.open };
  });
}

describe('LearningGate', () => {
  it('learns an open incident in incident mode until its level is accepted, then normally', () => {
    const steps = feed(new LearningGate(opts(3)), [0.2, 2, 2, 2, 2, 2, 0.1]);
    expect(steps.map((s) => s.mode)).toEqual([
      'normal',
      'incident',
      'incident',
      'incident',
      'normal',
      'normal',
      'normal',
    ]);
  });

  it('says once, at the point of acceptance, how many incident points came before it', () => {
    const steps = feed(new LearningGate(opts(3)), [0.2, 2, 2, 2, 2, 2, 2]);
    expect(steps.map((s) => s.acceptedAfter)).toEqual([0, 0, 0, 0, 3, 0, 0]);
  });

  it('stays open after acceptance while the scores hold (what the score tail reads)', () => {
    const steps = feed(new LearningGate(opts(3)), [2, 2, 2, 2, 0.8, 0.1, 0.1, 0.1]);
    expect(steps.map((s) => s.open)).toEqual([true, true, true, true, true, true, true, false]);
  });

  it('counts a new incident from its own start', () => {
    const gate = new LearningGate(opts(3));
    feed(gate, [2, 2, 2, 2, 0.1, 0.1, 0.1]);
    const again = feed(gate, [0.1, 2, 2, 2, 2, 2], 7);
    expect(again.map((s) => s.acceptedAfter)).toEqual([0, 0, 0, 0, 3, 0]);
  });

  it('never accepts without a horizon', () => {
    const steps = feed(new LearningGate(opts(null)), Array<number>(50).fill(2));
    expect(steps.every((s) => s.mode === 'incident' && s.acceptedAfter === 0)).toBe(true);
  });

  it('keeps the incident count and its acceptance in snapshots, and restores older ones without them', () => {
    const gate = new LearningGate(opts(5));
    feed(gate, [2, 2, 2]);
    const restored = new LearningGate(opts(5));
    restored.restore(JSON.parse(JSON.stringify(gate.snapshot())));
    expect(feed(restored, [2, 2, 2], 3).map((s) => s.acceptedAfter)).toEqual([0, 0, 5]);

    // A snapshot from before the count was kept: an incident already past its horizon is not re-accepted.
    const { open, start, below } = gate.snapshot();
    const old = new LearningGate(opts(2));
    old.restore({ open, start, below });
    expect(feed(old, [2, 2], 3).map((s) => s.acceptedAfter)).toEqual([0, 0]);
  });
});
