import { SEVERITY_LABELS, STATUSES, STATUS_COLORS, severityLabel, severityOf } from './severity.js';

describe('the severity scale', () => {
  it.each([
    [0.5, 0],
    [1, 0],
    [2, 50],
    [4, 75],
    [1e9, 100],
    [NaN, 0],
  ])('peak score %s → severity %s', (score, severity) => {
    expect(severityOf(score)).toBe(severity);
  });

  it.each([
    [0, 'warning'],
    [24.9, 'warning'],
    [25, 'minor'],
    [50, 'major'],
    [75, 'critical'],
    [100, 'critical'],
  ])('severity %s is %s', (severity, label) => {
    expect(severityLabel(severity)).toBe(label);
  });

  it('colours every status, each severity band differently', () => {
    expect(Object.keys(STATUS_COLORS).sort()).toEqual([...STATUSES].sort());
    expect(new Set(SEVERITY_LABELS.map((l) => STATUS_COLORS[l])).size).toBe(SEVERITY_LABELS.length);
  });
});
