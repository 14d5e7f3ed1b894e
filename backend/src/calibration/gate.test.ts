import { CHAIN_MS, LearningGate } from './gate.js';
import { GateState } from './snapshot.js';

const MINUTE = 60_000;
const opts = (acceptAfterPoints: number | null) => ({
  holdLevel: 0.7,
  closeAfter: 3,
  acceptNewLevelAfter: acceptAfterPoints === null ? null : acceptAfterPoints * MINUTE,
});

/** Feed scores one minute apart (x 50 against expected 100 unless given: a drop, not toward zero). */
function feed(gate: LearningGate, scores: number[], from = 0, x = 50) {
  return scores.map((s, i) => {
    const mode = gate.next((from + i) * MINUTE, s, x, 100);
    return { mode, acceptedAfter: gate.acceptedAfter, open: gate.open, opened: gate.opened };
  });
}

/** A gate that has learnt a day of normal points (before t = 0), so only the horizon bounds an incident. */
function seasoned(acceptAfterPoints: number | null): LearningGate {
  const gate = new LearningGate(opts(acceptAfterPoints));
  feed(gate, Array<number>(1440).fill(0.1), -1440);
  return gate;
}

describe('LearningGate', () => {
  it('learns an open incident in incident mode until its level is accepted, then normally', () => {
    const steps = feed(seasoned(3), [0.2, 2, 2, 2, 2, 2, 0.1]);
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

  it('keeps an incident open while told it goes on (a spread test scoring ≥ 1), learning its points as an incident’s', () => {
    const gate = seasoned(null);
    const holds = [false, false, true, true, true, true, false, false, false];
    const scores = [0.1, 2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const modes = scores.map((s, i) => gate.next(i * MINUTE, s, 50, 100, holds[i]));
    expect(modes).toEqual(['normal', ...Array<string>(7).fill('incident'), 'normal']);
    // Without it, the incident closes at its third point below the hold level.
    const plain = seasoned(null);
    expect(scores.map((s, i) => plain.next(i * MINUTE, s, 50, 100))).toEqual([
      'normal',
      'incident',
      'incident',
      'incident',
      'normal',
      'normal',
      'normal',
      'normal',
      'normal',
    ]);
  });

  it('says at an incident’s first point that it opened, and at no other', () => {
    const steps = feed(seasoned(null), [0.2, 2, 2, 0.1, 0.1, 0.1, 2, 0.1]);
    expect(steps.map((s) => s.opened)).toEqual([false, true, false, false, false, false, true, false]);
  });

  it('says once, at the point of acceptance, how many incident points came before it', () => {
    const steps = feed(seasoned(3), [0.2, 2, 2, 2, 2, 2, 2]);
    expect(steps.map((s) => s.acceptedAfter)).toEqual([0, 0, 0, 0, 3, 0, 0]);
  });

  it('stays open after acceptance while the scores hold (what the score tail reads)', () => {
    const steps = feed(seasoned(3), [2, 2, 2, 2, 0.8, 0.1, 0.1, 0.1]);
    expect(steps.map((s) => s.open)).toEqual([true, true, true, true, true, true, true, false]);
  });

  it('counts a new incident from its own start once more than CHAIN_MS passed since the last one closed', () => {
    const gate = seasoned(3);
    feed(gate, [2, 2, 2, 2, 0.1, 0.1, 0.1]); // closes at minute 6
    const gap = CHAIN_MS / MINUTE + 1;
    const again = feed(gate, [0.1, 2, 2, 2, 2, 2], 6 + gap - 1);
    expect(again.map((s) => s.acceptedAfter)).toEqual([0, 0, 0, 0, 3, 0]);
  });

  describe('an incident that reopens within CHAIN_MS of the last one’s close', () => {
    /** Open at minute 0, closed at minute 6 (three points under the hold level), reopened at `at`. */
    function reopened(horizon: number, first: number[], at: number) {
      const gate = seasoned(horizon);
      feed(gate, first);
      return feed(gate, Array<number>(12).fill(2), at);
    }

    it('is chained while open and after its close (the tail learns it there); not the first nor a later one', () => {
      const gate = seasoned(null);
      expect(gate.chained).toBe(false);
      /** `chained` after each point, the scores one minute apart from minute `from`. */
      const chained = (scores: number[], from: number) =>
        scores.map((s, i) => {
          gate.next((from + i) * MINUTE, s, 50, 100);
          return gate.chained;
        });
      // Open at minute 0, closed at minute 4.
      expect(chained([2, 2, 0.1, 0.1, 0.1], 0)).toEqual([false, false, false, false, false]);
      // Reopened at minute 7: chained while open, closed at minute 11, and still chained there.
      expect(chained([2, 2, 0.1, 0.1, 0.1], 7)).toEqual([true, true, true, true, true]);
      // More than CHAIN_MS after that close: a new incident.
      const later = 11 + CHAIN_MS / MINUTE + 1;
      expect(chained([2, 2], later)).toEqual([false, false]);
    });

    it('continues the first one’s horizon: accepted when the first began that long ago', () => {
      // Horizon 10 minutes from minute 0; reopened at minute 8 (2 minutes after the close).
      const steps = reopened(10, [2, 2, 2, 0.1, 0.1, 0.1, 0.1], 8);
      expect(steps.map((s) => s.acceptedAfter)).toEqual([0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(steps.map((s) => s.mode).slice(0, 3)).toEqual(['incident', 'incident', 'normal']);
    });

    it('stays accepted where the first one’s level was', () => {
      // Horizon 3 minutes: the first is accepted at minute 3 and closes at minute 7.
      const steps = reopened(3, [2, 2, 2, 2, 0.1, 0.1, 0.1, 0.1], 9);
      expect(steps.every((s) => s.mode === 'normal' && s.acceptedAfter === 0)).toBe(true);
      expect(steps[0].opened).toBe(true);
    });

    it('is held by the young series’ shorter bound from its own start, not the first one’s', () => {
      // Two normal points only: the quarter of a 40-minute horizon (10 minutes) bounds the hold.
      const gate = new LearningGate(opts(40));
      feed(gate, [0.1, 0.1], -2);
      // Five points, not accepted (a quarter of the horizon is 10 minutes); closed at minute 7.
      feed(gate, [2, 2, 2, 2, 2, 0.1, 0.1, 0.1]);
      const steps = feed(gate, Array<number>(12).fill(2), 9);
      // Reopened at minute 9: its own 10 minutes end at minute 19 (from the chain's start: minute 10).
      expect(steps.findIndex((s) => s.acceptedAfter > 0)).toBe(10);
    });
  });

  it('never accepts without a horizon', () => {
    const steps = feed(new LearningGate(opts(null)), Array<number>(50).fill(2));
    expect(steps.every((s) => s.mode === 'incident' && s.acceptedAfter === 0)).toBe(true);
  });

  it('keeps the incident count and its acceptance in snapshots, and restores older ones without them', () => {
    const gate = seasoned(5);
    feed(gate, [2, 2, 2]);
    const restored = new LearningGate(opts(5));
    restored.restore(JSON.parse(JSON.stringify(gate.snapshot())));
    expect(feed(restored, [2, 2, 2], 3).map((s) => s.acceptedAfter)).toEqual([0, 0, 5]);

    // The chain goes into the snapshot: restored after its close, a reopening continues the horizon.
    const chained = seasoned(10);
    feed(chained, [2, 2, 2, 0.1, 0.1, 0.1, 0.1]);
    const back = new LearningGate(opts(10));
    back.restore(GateState.parse(JSON.parse(JSON.stringify(chained.snapshot()))));
    expect(feed(back, [2, 2, 2], 8).map((s) => s.acceptedAfter)).toEqual([0, 0, 2]);
    // Restored without it (an older snapshot), the reopening counts from its own start.
    const { chainStart: _c, closedAt: _d, ...older } = chained.snapshot();
    const fresh = new LearningGate(opts(10));
    fresh.restore(older);
    expect(feed(fresh, [2, 2, 2], 8).map((s) => s.acceptedAfter)).toEqual([0, 0, 0]);

    // A snapshot from before the count was kept: an incident already past its horizon is not re-accepted.
    const { open, start, below } = gate.snapshot();
    const old = new LearningGate(opts(2));
    old.restore({ open, start, below });
    expect(feed(old, [2, 2], 3).map((s) => s.acceptedAfter)).toEqual([0, 0]);
  });

  describe('a series with little normal history', () => {
    it('holds an incident no longer than the normal points it had learnt when the incident opened', () => {
      // Five quiet points, then a lasting change: after five incident points the new level has as much
      // evidence as the old one and is accepted, long before the horizon (16) and past its quarter (4).
      const gate = new LearningGate(opts(16));
      feed(gate, [0.1, 0.1, 0.1, 0.1, 0.1]);
      const steps = feed(gate, Array<number>(8).fill(2), 5);
      expect(steps.map((s) => s.mode)).toEqual([
        ...Array<string>(5).fill('incident'),
        'normal',
        'normal',
        'normal',
      ]);
      expect(steps.map((s) => s.acceptedAfter)).toEqual([0, 0, 0, 0, 0, 5, 0, 0]);
    });

    it('counts only points learnt outside incidents as normal history', () => {
      const gate = new LearningGate(opts(16));
      feed(gate, [0.1, 0.1, 0.1, 0.1]);
      // An incident of ten points (accepted after four), then six quiet points: the first two still inside
      // it (it closes on the third, closeAfter 3), so 4 + 4 points of normal history.
      feed(gate, [...Array<number>(10).fill(2), ...Array<number>(6).fill(0.1)], 4);
      // More than CHAIN_MS after the close (minute 16): a new incident, not the first one's chain.
      const next = feed(gate, Array<number>(10).fill(2), 16 + CHAIN_MS / MINUTE + 4);
      expect(next.map((s) => s.acceptedAfter)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 8, 0]);
    });

    it('never accepts a drop toward zero, nor anything without a horizon', () => {
      const toZero = new LearningGate(opts(1440));
      feed(toZero, [0.1, 0.1]);
      expect(feed(toZero, Array<number>(20).fill(2), 2, 0).every((s) => s.mode === 'incident')).toBe(true);
      const never = new LearningGate(opts(null));
      feed(never, [0.1, 0.1]);
      expect(feed(never, Array<number>(20).fill(2), 2).every((s) => s.mode === 'incident')).toBe(true);
    });

    it('holds an incident for a quarter of the horizon however little came before it', () => {
      // One quiet point: the evidence would accept at the second incident point; the quarter of 20 holds
      // it to the sixth (five minutes after its start).
      const gate = new LearningGate(opts(20));
      feed(gate, [0.1]);
      const steps = feed(gate, Array<number>(8).fill(2), 1);
      expect(steps.map((s) => s.acceptedAfter)).toEqual([0, 0, 0, 0, 0, 5, 0, 0]);
    });

    it('keeps its normal history in snapshots, and restores an older snapshot as a series past learning', () => {
      const gate = new LearningGate(opts(16));
      feed(gate, [0.1, 0.1, 0.1, 2, 2]);
      const restored = new LearningGate(opts(16));
      restored.restore(JSON.parse(JSON.stringify(gate.snapshot())));
      // Three points of evidence, and the quarter of the horizon (4 minutes) reached at the fifth.
      expect(feed(restored, [2, 2, 2], 5).map((s) => s.acceptedAfter)).toEqual([0, 0, 4]);

      const { open, start, below, points, accepted } = gate.snapshot();
      // Restored from an older snapshot and run on, its snapshots stay valid (a count the schema takes).
      const upgraded = new LearningGate(opts(16));
      upgraded.restore({ open: false, start: null, below: 0 });
      feed(upgraded, [0.1, 0.1, 2, 0.1, 0.1, 0.1, 0.1]);
      expect(GateState.safeParse(JSON.parse(JSON.stringify(upgraded.snapshot()))).success).toBe(true);
      const old = new LearningGate(opts(16));
      old.restore({ open, start, below, points, accepted });
      expect(feed(old, [2, 2, 2], 5).every((s) => s.mode === 'incident')).toBe(true);
    });
  });
});
