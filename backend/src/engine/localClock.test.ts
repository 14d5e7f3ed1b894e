import { LocalClock } from './localClock.js';
import { isTimeZone } from '../contract/timezone.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('LocalClock: a zone’s offset from UTC along a series', () => {
  test('Europe/Berlin: +2 h in summer, +1 h from 2024-10-27 01:00 UTC to the minute', () => {
    const clock = new LocalClock('Europe/Berlin');
    const change = Date.UTC(2024, 9, 27, 1);
    expect(clock.offsetAt(Date.UTC(2024, 6, 1))).toBe(2 * HOUR);
    expect(clock.offsetAt(change - MINUTE)).toBe(2 * HOUR);
    expect(clock.offsetAt(change)).toBe(HOUR);
    expect(clock.offsetAt(Date.UTC(2024, 11, 24))).toBe(HOUR);
  });

  test('America/New_York: −5 h, then −4 h from 2024-03-10 07:00 UTC; a half-hour zone; a zone without DST', () => {
    const ny = new LocalClock('America/New_York');
    expect(ny.offsetAt(Date.UTC(2024, 2, 10, 7) - 1)).toBe(-5 * HOUR);
    expect(ny.offsetAt(Date.UTC(2024, 2, 10, 7))).toBe(-4 * HOUR);
    // Lord Howe Island moves by half an hour: +11 h in its summer, +10:30 in winter.
    const lordHowe = new LocalClock('Australia/Lord_Howe');
    expect(lordHowe.offsetAt(Date.UTC(2024, 0, 15))).toBe(11 * HOUR);
    expect(lordHowe.offsetAt(Date.UTC(2024, 6, 15))).toBe(10.5 * HOUR);
    const kolkata = new LocalClock('Asia/Kolkata');
    expect(kolkata.offsetAt(Date.UTC(2024, 0, 1))).toBe(5.5 * HOUR);
    expect(kolkata.offsetAt(Date.UTC(2024, 6, 1))).toBe(5.5 * HOUR);
  });

  test('read along two years at a 10-minute step, it agrees with a fresh lookup at every point', () => {
    // A fresh clock looks every offset up; the walking one answers from its interval between changes.
    const walking = new LocalClock('Europe/London');
    const from = Date.UTC(2023, 0, 1);
    let changes = 0;
    let last = NaN;
    for (let t = from; t < from + 730 * 24 * HOUR; t += 10 * MINUTE) {
      const offset = walking.offsetAt(t);
      if (t % (6 * HOUR) === 0 || (!Number.isNaN(last) && offset !== last)) {
        expect(offset).toBe(new LocalClock('Europe/London').offsetAt(t));
      }
      if (!Number.isNaN(last) && offset !== last) changes++;
      last = offset;
    }
    expect(changes).toBe(4);
  });

  test('read back and forth across changes, as a job’s series are backfilled one after another', () => {
    const shared = LocalClock.of('America/New_York');
    expect(LocalClock.of('America/New_York')).toBe(shared);
    const from = Date.UTC(2024, 2, 1);
    for (let series = 0; series < 3; series++) {
      for (let t = from; t < from + 90 * 24 * HOUR; t += 3 * HOUR) {
        expect(shared.offsetAt(t)).toBe(new LocalClock('America/New_York').offsetAt(t));
      }
    }
    // Before the range first read: the span of the winter before it.
    expect(shared.offsetAt(Date.UTC(2024, 0, 15))).toBe(-5 * HOUR);
    expect(shared.offsetAt(Date.UTC(2024, 2, 10, 7) - MINUTE)).toBe(-5 * HOUR);
    expect(shared.offsetAt(Date.UTC(2024, 2, 10, 7))).toBe(-4 * HOUR);
  });

  test('an unknown zone is refused, where the option is validated and by the clock itself', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(() => new LocalClock('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
