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
  // Sub-millisecond digits are dropped: NAB's corpus uses whole seconds anyway.
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), s ? Number(s) : 0, ms);
  // Date.UTC silently rolls over out-of-range fields (month 13, day 32); reject those.
  const back = new Date(t);
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d)) return Number.NaN;
  return t;
}
