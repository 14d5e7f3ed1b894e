/**
 * A time zone's offset from UTC along a series, for traffic that keeps local time (ScoreOptions.timezone):
 * where the offset changes (daylight saving time), the series' daily pattern moves by the change in UTC,
 * and the seasonal profile is moved with it at that instant (SeriesScorer) instead of misfitting every
 * ramp until the clock watch has seen enough of the new hour (detectors/clockWatch.ts).
 *
 * Offsets come from Node's ICU data through Intl (no library needed). Formatting a date costs a few
 * microseconds, more than scoring a point, so each zone's offsets are kept as spans between changes: the
 * changes around a point are found by probing a week at a time (zones change at most a few times a year,
 * never twice within a week) and then bisecting to the minute. One clock per zone serves every series
 * (LocalClock.of): a job's 200,000 series share its spans, and no series holds a formatter of its own.
 */

const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 24 * 3_600_000;
/** How far from a point a change is looked for; past it the offset is looked up again. */
const HORIZON_MS = 53 * WEEK_MS;
/** Spans a clock keeps (a few a year of history looked at); past it they are forgotten and found again. */
const MAX_SPANS = 64;

/** "GMT+05:30" / "GMT-03:00" / "GMT" → ms. */
function parseGmtOffset(text: string): number {
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(text);
  if (!m) return 0;
  const ms = (Number(m[2]) * 60 + Number(m[3])) * MINUTE_MS;
  return m[1] === '-' ? -ms : ms;
}

/** An offset in force over [from, until). */
interface Span {
  from: number;
  until: number;
  offset: number;
}

const CLOCKS = new Map<string, LocalClock>();

export class LocalClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly spans: Span[] = [];
  /** The span the last point fell in (points mostly follow each other). */
  private last: Span | null = null;

  /** `zone`: an IANA name (contract/timezone.ts checks it); throws a RangeError for an unknown one. */
  constructor(readonly zone: string) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  }

  /** The clock of `zone` every scorer shares (created on first use). */
  static of(zone: string): LocalClock {
    let clock = CLOCKS.get(zone);
    if (!clock) {
      clock = new LocalClock(zone);
      CLOCKS.set(zone, clock);
    }
    return clock;
  }

  /** Local time − UTC at epoch ms `t`, in ms (Europe/Berlin: 3,600,000 in winter, 7,200,000 in summer). */
  offsetAt(t: number): number {
    const last = this.last;
    if (last && t >= last.from && t < last.until) return last.offset;
    const span = this.spans.find((s) => t >= s.from && t < s.until) ?? this.spanAround(t);
    this.last = span;
    return span.offset;
  }

  private spanAround(t: number): Span {
    const offset = this.lookup(t);
    // Changes happen on whole minutes, so t's minute has t's offset and every probe is a whole minute.
    const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
    const span = {
      from: this.change(minute, offset, -1),
      until: this.change(minute, offset, 1),
      offset,
    };
    if (this.spans.length >= MAX_SPANS) this.spans.length = 0;
    this.spans.push(span);
    return span;
  }

  private lookup(t: number): number {
    const part = this.format.formatToParts(t).find((p) => p.type === 'timeZoneName');
    return part ? parseGmtOffset(part.value) : 0;
  }

  /**
   * Forward (dir 1): the first minute after `minute` whose offset is not `offset`. Backward (−1): the
   * first minute of the run of `offset` that `minute` is in. Within HORIZON_MS, else the horizon.
   */
  private change(minute: number, offset: number, dir: 1 | -1): number {
    let inside = minute;
    let outside = NaN;
    for (let probe = minute + dir * WEEK_MS; Math.abs(probe - minute) <= HORIZON_MS; probe += dir * WEEK_MS) {
      if (this.lookup(probe) !== offset) {
        outside = probe;
        break;
      }
      inside = probe;
    }
    if (Number.isNaN(outside)) return minute + dir * HORIZON_MS;
    // `inside` has the offset, `outside` does not: bisect to the minute.
    while (Math.abs(outside - inside) > MINUTE_MS) {
      const mid = inside + Math.trunc((outside - inside) / 2 / MINUTE_MS) * MINUTE_MS;
      if (this.lookup(mid) === offset) inside = mid;
      else outside = mid;
    }
    return dir === 1 ? outside : inside;
  }
}

/**
 * One series' walk along its zone's clock: the offset at its last point, and by how much its pattern
 * moves at the next (SeriesScorer). Back in time (batch scoring's backward pass) the offsets come in
 * reverse order, and positions run back in time too, what is later in time being earlier there: the
 * move is the one a forward pass makes at the same change.
 */
export class ClockFollower {
  /** The offset from UTC at the last point, ms (NaN before one). */
  utcOffset = NaN;
  private at = NaN;

  constructor(private readonly clock: LocalClock) {}

  /** How much later in UTC the series' pattern comes from `timestamp` on than at the last point, ms. */
  moveAt(timestamp: number): number {
    const offset = this.clock.offsetAt(timestamp);
    const was = this.utcOffset;
    const back = timestamp < this.at;
    this.utcOffset = offset;
    this.at = timestamp;
    if (Number.isNaN(was) || offset === was) return 0;
    return back ? offset - was : was - offset;
  }
}
