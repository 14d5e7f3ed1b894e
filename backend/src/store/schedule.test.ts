/** When a window is active: one-off ranges, cron schedules at fixed UTC times, and refused timings. */
import {
  activeAt,
  activeIntervals,
  cronProblem,
  nextStart,
  timingProblem,
  type WindowTiming,
} from './schedule.js';

const utc = (iso: string) => Date.parse(`${iso}Z`);
const H = 3_600_000;
// Saturdays 02:00–04:00 UTC. 2026-01-03 is a Saturday.
const weekly: WindowTiming = {
  startsAt: null,
  endsAt: null,
  schedule: { cron: '0 2 * * 6', durationMs: 2 * H },
};

test.each([
  ['2026-01-03T01:59:59', false],
  ['2026-01-03T02:00:00', true],
  ['2026-01-03T03:59:59', true],
  ['2026-01-03T04:00:00', false],
  ['2026-01-04T03:00:00', false],
  ['2026-01-10T02:30:00', true],
])('weekly Saturday 02:00 for 2h, at %s UTC: active %s', (iso, expected) => {
  expect(activeAt(weekly, utc(iso))).toBe(expected);
});

test('a one-off window is active on [startsAt, endsAt)', () => {
  const w: WindowTiming = { startsAt: 1000, endsAt: 2000, schedule: null };
  expect([999, 1000, 1999, 2000].map((t) => activeAt(w, t))).toEqual([false, true, true, false]);
  expect(activeIntervals(w, 0, 1500)).toEqual([{ start: 1000, end: 1500 }]);
});

test('intervals of a schedule over two weeks, clipped to the range and to its bounds', () => {
  expect(activeIntervals(weekly, utc('2026-01-03T03:00:00'), utc('2026-01-17T00:00:00'))).toEqual([
    { start: utc('2026-01-03T03:00:00'), end: utc('2026-01-03T04:00:00') },
    { start: utc('2026-01-10T02:00:00'), end: utc('2026-01-10T04:00:00') },
  ]);
  const bounded = { ...weekly, endsAt: utc('2026-01-10T03:00:00') };
  expect(activeIntervals(bounded, utc('2026-01-09T00:00:00'), utc('2026-01-17T00:00:00'))).toEqual([
    { start: utc('2026-01-10T02:00:00'), end: utc('2026-01-10T03:00:00') },
  ]);
  expect(activeAt(bounded, utc('2026-01-10T03:30:00'))).toBe(false);
});

test('occurrences longer than the cron period merge into one interval', () => {
  const w: WindowTiming = {
    startsAt: null,
    endsAt: null,
    schedule: { cron: '0 * * * *', durationMs: 2 * H },
  };
  expect(activeIntervals(w, utc('2026-01-01T00:30:00'), utc('2026-01-01T05:00:00'))).toEqual([
    { start: utc('2026-01-01T00:30:00'), end: utc('2026-01-01T05:00:00') },
  ]);
});

test('the next start', () => {
  expect(nextStart(weekly, utc('2026-01-03T05:00:00'))).toBe(utc('2026-01-10T02:00:00'));
  expect(nextStart({ startsAt: 5000, endsAt: 6000, schedule: null }, 1000)).toBe(5000);
  expect(nextStart({ startsAt: 5000, endsAt: 6000, schedule: null }, 6000)).toBeNull();
});

test.each([
  ['0 0 30 2 *', 'never fires or is invalid'],
  ['0 0 31 4 *', 'never fires or is invalid'],
  ['61 * * * *', 'never fires or is invalid'],
  ['0 0 * * * *', 'must have five fields'],
  ['every day', 'must have five fields'],
  ['@reboot', 'must have five fields'],
])('cron %s is refused: %s', (cron, message) => {
  expect(cronProblem(cron, utc('2026-01-01T00:00:00'))).toContain(message);
});

test.each(['0 2 * * 6', '*/5 * * * *', '@daily', '0 0 29 2 *'])('cron %s is accepted', (cron) => {
  expect(cronProblem(cron, utc('2026-01-01T00:00:00'))).toBeNull();
});

test('timings refused: inverted, already over, a schedule that does not fire before its end', () => {
  const now = utc('2026-01-05T00:00:00');
  expect(timingProblem({ startsAt: now + 2 * H, endsAt: now + H, schedule: null }, now)).toBe(
    'endsAt must be after startsAt',
  );
  expect(timingProblem({ startsAt: now - 2 * H, endsAt: now - H, schedule: null }, now)).toContain(
    'in the past',
  );
  // Only Saturdays, bounded to a Monday-to-Wednesday stretch.
  const never = { ...weekly, startsAt: now, endsAt: now + 2 * 24 * H };
  expect(timingProblem(never, now)).toBe('the schedule does not fire before endsAt');
  expect(timingProblem(weekly, now)).toBeNull();
});
