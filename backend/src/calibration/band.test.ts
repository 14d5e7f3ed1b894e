import {
  ESTABLISHED_RUN,
  FLAT_ESTABLISHED_RUN,
  INCIDENT_SHIFT_FLOOR,
  SPREAD_FLOOR,
  bandAndScore,
  emptyBandResult,
  type BandInput,
} from './band.js';
import type { Component, Deviation } from '../detectors/detector.js';

/** Only what bandAndScore reads of a component. */
function component(props: Partial<Component>): Component {
  return { providesBand: false, affine: false, anticipates: false, ...props } as Component;
}

/**
 * A seasonal primary expecting 1000 (σ 10, boundary 4: the band is 960–1040) and a level-shift test whose
 * base is 400 and whose recent level is `recentLevel`, scoring 2 (evidence of a shift up).
 */
function input(x: number, recentLevel: number, anticipates: boolean): BandInput {
  const primary: Deviation = { z: (x - 1000) / 10, expected: 1000, scale: 10 };
  const shift: Deviation = { z: (recentLevel - 400) / 20, expected: 400, scale: 20 };
  return {
    x,
    components: [component({ providesBand: true, affine: true, anticipates }), component({})],
    deviations: [primary, shift],
    bandDeviation: null,
    boundary: [4, 15],
    componentScores: [Math.abs(primary.z) / 4, 2],
    bandBoundary: 4,
    direction: 'both',
    clampAtZero: true,
    widen: 1,
  };
}

describe('bandAndScore: level-shift evidence and an anticipating primary', () => {
  it('does not narrow the band for a shift the seasonal profile already expects (a learnt daily spike)', () => {
    // The test's recent level (990) is below what the profile expects (1000): the profile anticipates it.
    const r = bandAndScore(input(1030, 990, true), emptyBandResult())!;
    expect(r.upper).toBe(1040);
    expect(r.anomaly).toBe(false);
  });

  it('still narrows it for a shift beyond what the profile expects', () => {
    const r = bandAndScore(input(1030, 1100, true), emptyBandResult())!;
    expect(r.upper).toBe(1020);
    expect(r.anomaly).toBe(true);
  });

  it('still narrows it when the primary anticipates nothing (a rolling median)', () => {
    const r = bandAndScore(input(1030, 990, false), emptyBandResult())!;
    expect(r.upper).toBe(1020);
    expect(r.anomaly).toBe(true);
  });
});

describe('bandAndScore: an affine component lagging an anticipating primary', () => {
  /** The primary expects 1000 (σ 10, boundary 4); a fast average (σ 10, `boundary`) is centred on `centre`. */
  function lagging(x: number, centre: number, anticipates: boolean, boundary = 4): BandInput {
    const primary: Deviation = { z: (x - 1000) / 10, expected: 1000, scale: 10 };
    const average: Deviation = { z: (x - centre) / 10, expected: centre, scale: 10 };
    return {
      ...input(x, 400, anticipates),
      components: [component({ providesBand: true, affine: true, anticipates }), component({ affine: true })],
      deviations: [primary, average],
      boundary: [4, boundary],
      componentScores: [Math.abs(primary.z) / 4, Math.abs(average.z) / boundary],
    };
  }

  it('narrows the side it lags by its half-width around expected, whether its edge is just above or below it', () => {
    // Centred at 961 and 959, its upper edges are 1001 and 999: both give an upper edge of 1040 − (40 − 40).
    for (const centre of [961, 959]) {
      const r = bandAndScore(lagging(1010, centre, true), emptyBandResult())!;
      expect(r.upper).toBe(1040);
      expect(r.anomaly).toBe(false);
    }
  });

  it('narrows by its edge on the side it leads, and by its edge when the primary anticipates nothing', () => {
    // Centred at 1010 with a half-width of 20: its upper edge, 1030.
    expect(bandAndScore(lagging(1010, 1010, true, 2), emptyBandResult())!.upper).toBe(1030);
    expect(bandAndScore(lagging(1010, 965, false), emptyBandResult())!.upper).toBe(1005);
  });
});

describe('bandAndScore: evidence of how far the level moved, inside an open incident', () => {
  /**
   * The primary expects 1000 (σ 10, boundary 4: the band is 960–1040); a residual level-shift test scores
   * 1.25 and estimates the level moved by `shift` (its evidence alone narrows the upper side to 40 / 1.25 = 32).
   */
  function moved(x: number, shift: number, inIncident: boolean): BandInput {
    const primary: Deviation = { z: (x - 1000) / 10, expected: 1000, scale: 10 };
    const residual: Deviation = { z: 5, expected: NaN, scale: 1, shift };
    return {
      ...input(x, 400, false),
      deviations: [primary, residual],
      componentScores: [Math.abs(primary.z) / 4, 1.25],
      inIncident,
    };
  }

  it('flags a point nearer the moved level than the old one: a 4σ shift of +40 narrows the side to 20', () => {
    const r = bandAndScore(moved(1025, 40, true), emptyBandResult())!;
    expect(r.upper).toBe(1020);
    expect(r.anomaly).toBe(true);
  });

  it('outside an incident only the score narrows the band (a first run above 1 is judged as before)', () => {
    const r = bandAndScore(moved(1025, 40, false), emptyBandResult())!;
    expect(r.upper).toBe(1032);
    expect(r.anomaly).toBe(false);
  });

  it('ignores an estimate on the other side, or none (a profile that has not seen this time of the week)', () => {
    expect(bandAndScore(moved(1025, -40, true), emptyBandResult())!.upper).toBe(1032);
    expect(bandAndScore(moved(1025, NaN, true), emptyBandResult())!.upper).toBe(1032);
  });

  it('never narrows more than the score does for a large move (a 40 % drop keeps h / s)', () => {
    expect(bandAndScore(moved(1025, 400, true), emptyBandResult())!.upper).toBe(1032);
  });

  /**
   * The test's own score has fallen to 0.5 (its window reads the incident's flagged points as expected
   * values); what it observed over the incident's points says the level moved by `observed`, at
   * `observedZ` against its boundary of 15.
   */
  function observedOnly(x: number, observed: number, observedZ: number, inIncident: boolean): BandInput {
    const primary: Deviation = { z: (x - 1000) / 10, expected: 1000, scale: 10 };
    const residual: Deviation = {
      z: 0.5 * 15,
      expected: NaN,
      scale: 1,
      shift: 0,
      observedShift: observed,
      observedZ,
    };
    return {
      ...input(x, 400, false),
      deviations: [primary, residual],
      componentScores: [Math.abs(primary.z) / 4, 0.5],
      inIncident,
    };
  }

  it('once the test scores below 1, narrows the side to half the observed move while that alone scores above 1', () => {
    const r = bandAndScore(observedOnly(1025, 40, 16, true), emptyBandResult())!;
    expect(r.upper).toBe(1020);
    expect(r.lower).toBe(960);
    expect(r.anomaly).toBe(true);
    expect(bandAndScore(observedOnly(975, -40, -16, true), emptyBandResult())!.lower).toBe(980);
  });

  it('not with an observed move that would score 1 or less, nor outside an incident', () => {
    expect(bandAndScore(observedOnly(1025, 40, 15, true), emptyBandResult())!.upper).toBe(1040);
    expect(bandAndScore(observedOnly(1025, 40, 16, false), emptyBandResult())!.upper).toBe(1040);
    expect(bandAndScore(observedOnly(1025, NaN, NaN, true), emptyBandResult())!.upper).toBe(1040);
  });
});

describe('bandAndScore: a test that narrows no further than half its shift estimate (a CUSUM)', () => {
  /**
   * The primary expects 1000 (σ 10, boundary 4: the band is 960–1040); the CUSUM scores `score` on the
   * side of `shift` (its estimate of how far the level moved, series units).
   */
  function cusum(
    x: number,
    score: number,
    shift: number | undefined,
    inIncident = false,
    runPoints = NaN,
    anticipates = true,
  ): BandInput {
    const primary: Deviation = { z: (x - 1000) / 10, expected: 1000, scale: 10 };
    const sum: Deviation = { z: Math.sign(shift ?? 1) * 10, expected: NaN, scale: 10, shift, runPoints };
    return {
      ...input(x, 400, anticipates),
      components: [
        component({ providesBand: true, affine: true, anticipates }),
        component({ narrowsToShift: true }),
      ],
      deviations: [primary, sum],
      boundary: [4, 10 / score],
      componentScores: [Math.abs(primary.z) / 4, score],
      inIncident,
    };
  }

  it('narrows by its score down to half its estimate: a 3σ shift’s points flagged, not points nearer expected', () => {
    // Score 4: 40 / 4 = 10 above expected; the estimate, 30, stops it at 15.
    const r = bandAndScore(cusum(1020, 4, 30), emptyBandResult())!;
    expect(r.upper).toBe(1015);
    expect(r.anomaly).toBe(true);
    expect(bandAndScore(cusum(1012, 4, 30), emptyBandResult())!.anomaly).toBe(false);
  });

  it('inside an open incident narrows down to INCIDENT_SHIFT_FLOOR of its estimate: the moved level’s low points flagged too', () => {
    // Score 4 → 10; the estimate, 30, stops it at a quarter of 30, 7.5 (15 outside an incident).
    expect(INCIDENT_SHIFT_FLOOR).toBe(0.25);
    const r = bandAndScore(cusum(1012, 4, 30, true), emptyBandResult())!;
    expect(r.upper).toBe(1010);
    expect(r.anomaly).toBe(true);
    expect(bandAndScore(cusum(1012, 8, 30, true), emptyBandResult())!.upper).toBe(1007.5);
    expect(bandAndScore(cusum(1007, 8, 30, true), emptyBandResult())!.anomaly).toBe(false);
    // A burst's size stops it as before: a quarter of 4,000 is still beyond the band.
    expect(bandAndScore(cusum(5000, 30, 4000, true), emptyBandResult())!.upper).toBe(1040);
  });

  it('inside an open incident, once its run is established, narrows to that fraction whatever its score', () => {
    // Score 2 (capped sums, a wide primary range): 40 / 2 = 20 before the run is established; from
    // ESTABLISHED_RUN points on, a quarter of the estimate, 7.5.
    expect(ESTABLISHED_RUN).toBe(60);
    expect(bandAndScore(cusum(1012, 2, 30, true, ESTABLISHED_RUN - 1), emptyBandResult())!.upper).toBe(1020);
    const r = bandAndScore(cusum(1012, 2, 30, true, ESTABLISHED_RUN), emptyBandResult())!;
    expect(r.upper).toBe(1007.5);
    expect(r.anomaly).toBe(true);
    // Not outside an incident (half the estimate, 15, against 20 by the score), nor for a burst's size.
    expect(bandAndScore(cusum(1012, 2, 30, false, 500), emptyBandResult())!.upper).toBe(1020);
    expect(bandAndScore(cusum(5000, 2, 4000, true, 500), emptyBandResult())!.upper).toBe(1040);
  });

  it('against a median, outside an incident, narrows to half its estimate once its run is long', () => {
    // Score 2 → 20 above expected; the estimate, 30, gives 15 from FLAT_ESTABLISHED_RUN points on, so a
    // point 2σ above expected (1018) opens the incident before the median absorbs the shift.
    expect(FLAT_ESTABLISHED_RUN).toBe(20);
    const median = (x: number, run: number) => cusum(x, 2, 30, false, run, false);
    expect(bandAndScore(median(1018, FLAT_ESTABLISHED_RUN - 1), emptyBandResult())!.upper).toBe(1020);
    const r = bandAndScore(median(1018, FLAT_ESTABLISHED_RUN), emptyBandResult())!;
    expect(r.upper).toBe(1015);
    expect(r.anomaly).toBe(true);
    // Not where the primary anticipates the series (a seasonal profile does not absorb a shift).
    expect(bandAndScore(cusum(1018, 2, 30, false, 500, true), emptyBandResult())!.upper).toBe(1020);
    // Nor below a score of 1, nor for a burst's size.
    expect(bandAndScore(cusum(1018, 0.9, 30, false, 500, false), emptyBandResult())!.upper).toBe(1040);
    expect(bandAndScore(cusum(5000, 2, 4000, false, 500, false), emptyBandResult())!.upper).toBe(1040);
  });

  it('narrows no further than half a burst’s size: the burst scores as it would without the test', () => {
    // A 5× burst: the estimate (4,000) is far beyond the band, which keeps the primary's width.
    const r = bandAndScore(cusum(5000, 30, 4000), emptyBandResult())!;
    expect(r.upper).toBe(1040);
    expect(r.score).toBe(4000 / 40);
  });

  it('narrows by its score alone without an estimate, and only on the estimate’s side', () => {
    expect(bandAndScore(cusum(1020, 2, undefined), emptyBandResult())!.upper).toBe(1020);
    const down = bandAndScore(cusum(1020, 4, -30), emptyBandResult())!;
    expect([down.lower, down.upper]).toEqual([985, 1040]);
  });
});

describe('bandAndScore: evidence that the noise grew (a spread test, Component.spread)', () => {
  /** The primary of `input` (band 960–1040) and a spread test scoring `score`. */
  function spread(x: number, score: number, inIncident: boolean): BandInput {
    const primary: Deviation = { z: (x - 1000) / 10, expected: 1000, scale: 10 };
    const test: Deviation = { z: 3 * score, expected: NaN, scale: 10 };
    return {
      x,
      components: [component({ providesBand: true, affine: true }), component({ spread: true })],
      deviations: [primary, test],
      bandDeviation: null,
      boundary: [4, 3],
      componentScores: [Math.abs(primary.z) / 4, score],
      bandBoundary: 4,
      direction: 'both',
      clampAtZero: true,
      inIncident,
      widen: 1,
    };
  }

  it('inside an open incident narrows both sides by its score, to SPREAD_FLOOR of the half-width at the least', () => {
    expect(SPREAD_FLOOR).toBe(0.5);
    const by = bandAndScore(spread(970, 1.6, true), emptyBandResult())!;
    expect([by.lower, by.upper]).toEqual([975, 1025]);
    expect(by.anomaly).toBe(true);
    expect(by.driver).toBe(1);
    const floored = bandAndScore(spread(1025, 10, true), emptyBandResult())!;
    expect([floored.lower, floored.upper]).toEqual([980, 1020]);
    expect(floored.score).toBe(25 / 20);
  });

  it('does not narrow outside an incident, nor below a score of 1', () => {
    for (const [score, inIncident] of [
      [10, false],
      [1, true],
      [0.5, true],
    ] as const) {
      const r = bandAndScore(spread(1030, score, inIncident), emptyBandResult())!;
      expect([r.lower, r.upper]).toEqual([960, 1040]);
      expect(r.anomaly).toBe(false);
    }
  });
});
