/**
 * A time zone's offset from UTC along a series, for traffic that keeps local time (ScoreOptions.timezone):
 * where the offset changes (daylight saving time), the series' daily pattern moves by the change in UTC,
 * and the seasonal profile is moved with it at that instant (SeriesScorer) instead of misfitting every
 * ramp until the clock watch has seen enough of the new hour (detectors/clockWatch.ts).
 *
 * Offsets come from Node's ICU data through Intl (no library needed). Formatting a date costs a few
 * microseconds, more than scoring a point, so the offset is looked up once per interval between changes:
 * the next change after a point is found by probing a week at a time (zones change at most a few times a
 * year, never twice within a week) and then bisecting to the minute.
 */

const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 24 * 3_600_000;
/** How far ahead a change is looked for; past it the offset is looked up again. */
const HORIZON_MS = 53 * WEEK_MS;

/** "GMT+05:30" / "GMT-03:00" / "GMT" → ms. */
function parseGmtOffset(text: string): number {
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(text);
  if (!m) return 0;
  const ms = (Number(m[2]) * 60 + Number(m[3])) * MINUTE_MS;
  return m[1] === '-' ? -ms : ms;
}

export class LocalClock {
  private readonly format: Intl.DateTimeFormat;
  /** The offset in force over [from, until); an empty interval before the first lookup. */
  private offset = 0;
  private from = 0;
  private until = 0;

  /** `zone`: an IANA name (contract/timezone.ts checks it); throws a RangeError for an unknown one. */
  constructor(readonly zone: string) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  }

  /** Local time − UTC at epoch ms `t`, in ms (Europe/Berlin: 3,600,000 in winter, 7,200,000 in summer). */
  offsetAt(t: number): number {
    if (t >= this.from && t < this.until) return this.offset;
    const offset = this.lookup(t);
    this.offset = offset;
    this.from = t;
    this.until = this.nextChange(t, offset);
    return offset;
  }

  private lookup(t: number): number {
    const part = this.format.formatToParts(t).find((p) => p.type === 'timeZoneName');
    return part ? parseGmtOffset(part.value) : 0;
  }

  /** The first minute after `t` whose offset is not `offset` (t + HORIZON_MS when none is that close). */
  private nextChange(t: number, offset: number): number {
    // Changes happen on whole minutes, so t's minute has t's offset and every probe is a whole minute.
    const start = Math.floor(t / MINUTE_MS) * MINUTE_MS;
    let lo = start;
    let hi = NaN;
    for (let probe = start + WEEK_MS; probe <= start + HORIZON_MS; probe += WEEK_MS) {
      if (this.lookup(probe) !== offset) {
        hi = probe;
        break;
      }
      lo = probe;
    }
    if (Number.isNaN(hi)) return t + HORIZON_MS;
    // lo has the offset, hi does not: bisect to the minute (changes happen on whole minutes).
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
      if (this.lookup(mid) === offset) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}
