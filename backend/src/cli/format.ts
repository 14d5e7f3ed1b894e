/** Text output of the commands: the scored series as CSV, NAB scores as a table. */
import type { NabProfileScore, NabScoreResult } from '../lab/nab/index.js';
import type { ScoredRows } from './rows.js';

export const SCORE_CSV_HEADER = 'timestamp,value,score,expected,lower,upper,anomaly,direction,state';

const cell = (x: number | null | undefined): string => (x === null || x === undefined ? '' : String(x));

/** One line per row of `result` (the input's rows, or the grid with --grid; see rows.ts). */
export function formatScoreCsv(result: ScoredRows): string {
  const lines = [SCORE_CSV_HEADER];
  for (let i = 0; i < result.timestamps.length; i++) {
    lines.push(
      [
        new Date(result.timestamps[i]).toISOString(),
        cell(result.values[i]),
        cell(result.score[i]),
        cell(result.expected[i]),
        cell(result.lower[i]),
        cell(result.upper[i]),
        result.anomaly[i] ? 'true' : 'false',
        result.direction[i] ?? '',
        result.states[i],
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export interface NabReportOptions {
  title: string;
  /** Published normalized scores per profile, shown alongside when known. */
  published?: Record<string, number>;
  notes?: string[];
}

const fmt = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));

export function formatNabReport(result: NabScoreResult, options: NabReportOptions): string {
  const profiles = Object.values(result.profiles);
  const head = ['profile', 'score', 'threshold', 'raw', 'windows hit', 'TP', 'FP', 'FN'];
  if (options.published) head.push('published');
  const rows = profiles.map((p: NabProfileScore) => {
    const row = [
      p.profile,
      fmt(p.score),
      `${p.threshold}${p.thresholdSource === 'optimised' ? ' *' : ''}`,
      fmt(p.raw, 3),
      `${p.windowsDetected}/${p.windowsDetected + p.windowsMissed}`,
      String(p.tp),
      String(p.fp),
      String(p.fn),
    ];
    if (options.published) row.push(fmt(options.published[p.profile] ?? null));
    return row;
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  // Names left-aligned, numbers right-aligned.
  const line = (r: string[]) =>
    r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
  const out = [
    options.title,
    `${result.files} files, ${result.points} rows, ${result.windows} anomaly windows`,
    '',
    line(head),
    ...rows.map(line),
    '',
    'score: NAB normalized (null detector 0, perfect 100). TP/FP/FN count rows, as NAB does.',
    "windows hit: NAB's labelled windows with at least one detection anywhere inside (a row whose NAB anomaly",
    "  score reaches the profile's threshold); a file's windows together span 10 % of its rows, each centred on its event.",
  ];
  if (profiles.some((p) => p.thresholdSource === 'optimised')) {
    out.push('* threshold optimised over the scored files (exact sweep over every distinct anomaly score).');
  }
  out.push(...(options.notes ?? []));
  return out.join('\n') + '\n';
}
