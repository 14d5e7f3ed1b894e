/**
 * NAB timestamps ("2015-09-08 11:39:00" in data files, "2014-04-10 07:15:00.000000" in the label
 * windows) carry no zone. NAB compares them as naive datetimes, so reading both as UTC keeps the
 * comparison exact whatever the machine's zone is.
 */
const NAB_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z)?$/;

/** Epoch milliseconds of a NAB timestamp, or NaN when the text is not one. */
export function parseNabTimestamp(text: string): number {
  const m = NAB_TIMESTAMP.exec(text.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac] = m;
  const [year, month, day, hour, minute] = [y, mo, d, h, mi].map(Number);
  const second = s ? Number(s) : 0;
  // Date.UTC silently rolls over out-of-range fields (month 13, 31 April); reject those.
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return Number.NaN;
  }
  // Sub-millisecond digits are dropped: NAB's corpus uses whole seconds anyway.
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
