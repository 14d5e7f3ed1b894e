/**
 * The incident hysteresis shared by the episodes, the learning gate and the escalation tracker: an
 * incident opens at an anomalous point (score ≥ 1), stays open while scores stay at or above
 * `holdLevel`, and closes after `closeAfter` (≥ 1) consecutive points below it. An anomalous point
 * while open resets the count as well.
 */

export interface HysteresisOptions {
  holdLevel: number;
  closeAfter: number;
}

/** What a snapshot keeps: whether an incident is open, and its points below the hold level so far. */
export interface HysteresisState {
  open: boolean;
  below: number;
}

export class Hysteresis {
  private opened = false;
  private belowCount = 0;
  constructor(private readonly opts: HysteresisOptions) {}

  /**
   * Feed one score; `anomalous` (by default score ≥ 1) opens the incident or keeps it going. `holds`:
   * evidence that an open incident goes on whatever this score (a spread test scoring ≥ 1,
   * components/spread.ts): the point counts as at the hold level. Returns whether the incident is open
   * after this point.
   */
  push(score: number, anomalous = score >= 1, holds = false): boolean {
    if (anomalous) {
      this.opened = true;
      this.belowCount = 0;
    } else if (this.opened) {
      if (holds || score >= this.opts.holdLevel) this.belowCount = 0;
      else if (++this.belowCount >= this.opts.closeAfter) this.opened = false;
    }
    return this.opened;
  }

  get open(): boolean {
    return this.opened;
  }

  /** Points below the hold level since the last one at or above it (while open). */
  get below(): number {
    return this.belowCount;
  }

  snapshot(): HysteresisState {
    return { open: this.opened, below: this.belowCount };
  }

  restore(s: HysteresisState): void {
    this.opened = s.open;
    this.belowCount = s.below;
  }
}
