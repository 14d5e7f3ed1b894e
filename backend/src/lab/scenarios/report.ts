/** The suite as a plain-text table (stdout of `trafficlens scenarios` and a section of the bench). */
import { table } from '../bench/report.js';
import type { Stat, SuiteResult } from './suite.js';

/**
 * "value" when every seed gave the same value, else "mean (min–max)"; "-" when there is nothing to
 * show. `rangeDigits` formats min and max (and a value every seed shared): 0 for counts.
 */
export function cell(s: Stat | null, digits: number, suffix = '', rangeDigits = digits): string {
  if (!s) return '-';
  const r = (x: number) => x.toFixed(rangeDigits);
  if (r(s.min) === r(s.max)) return `${r(s.min)}${suffix}`;
  return `${s.mean.toFixed(digits)}${suffix} (${r(s.min)}–${r(s.max)})`;
}

export const SCENARIO_COLUMNS = [
  'scenario',
  'detected',
  'onset (pts)',
  'coverage',
  'after end',
  'band/twin',
  'false/day',
  'false min/day',
  'last/first',
  'recurrences flagged',
] as const;

export const COLUMN_LEGEND = [
  'detected: incidents with an anomalous point inside their window / incidents',
  'onset: points from an incident start to its first anomalous point (median over detected incidents)',
  'coverage: fraction of incident points flagged anomalous',
  'after end: fraction of the 30 points after each incident (outside incidents) flagged anomalous: what holding it costs',
  'band/twin: the band width over those 30 points ÷ on the same series without its incidents (1: nothing learnt from them)',
  'false/day: episodes overlapping no incident (+30 points after its end), per day scored after learning',
  'false min/day: the minutes those episodes last (first to last anomalous point), per day scored after learning',
  'last/first: peak score in the last of identical incidents ÷ in the first',
  'recurrences flagged: occurrences 4–14 of the daily pattern with an anomalous point (should be 0)',
];

export function scenarioRows(r: SuiteResult): string[][] {
  return [
    [...SCENARIO_COLUMNS],
    ...r.scenarios.map((s) => [
      s.scenario,
      s.detected ? cell(s.detected, 1, `/${s.incidents}`, 0) : '-',
      cell(s.onsetDelay, 1),
      cell(s.coverage, 3),
      cell(s.afterEnd, 3),
      cell(s.bandTwin, 2),
      cell(s.falsePerDay, 2),
      cell(s.falseMinutesPerDay, 1),
      cell(s.lastFirstRatio, 2),
      s.flaggedRecurrences ? cell(s.flaggedRecurrences, 1, `/${s.recurrences}`, 0) : '-',
    ]),
  ];
}

export function formatSuiteReport(r: SuiteResult, options: { legend?: boolean } = {}): string {
  const n = r.seeds.length;
  const out = [
    `Scenario suite: detector ${r.params.detector}, sensitivity ${r.params.sensitivity}, causal; ` +
      `${n} seed${n === 1 ? '' : 's'} (${r.seeds.join(',')}); ${(r.elapsedMs / 1000).toFixed(1)} s` +
      (n > 1 ? '; mean (min–max) over seeds' : ''),
    table(scenarioRows(r)),
  ];
  if (options.legend ?? true) out.push('', ...COLUMN_LEGEND.map((l) => `  ${l}`));
  out.push(
    '',
    `  reproduce: trafficlens scenarios --seed ${r.seeds.join(',')} --detector ${r.params.detector} --sensitivity ${r.params.sensitivity}`,
  );
  return out.join('\n') + '\n';
}
