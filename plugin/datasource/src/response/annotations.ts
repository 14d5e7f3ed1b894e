/**
 * Anomaly episodes → one frame with a row per episode. Grafana turns it into region annotations
 * through its standard field mapping (`time`, `timeEnd`, `title`, `text`, `tags`, `color`); the other
 * fields make the same frame readable as a table of episodes. Pure: no requests, no Grafana runtime.
 */
import { FieldType, formattedValueToString, getValueFormat, type DataFrame } from '@grafana/data';
import { KIND_WORDS, STATUS_COLORS } from '../api/severity.gen';
import type { Episode, ScoredSeries } from '../api/types';
import { formatLegend, uniqueNames } from './legend';
import { regionFrame } from './regions';
import { unitForSeries } from './units';

export interface EpisodeFrameOptions {
  refId: string;
  legendFormat?: string;
  /** added to every episode's tags, e.g. `job:simulator` */
  tags?: readonly string[];
  executedQueryString?: string;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A number in the series' unit ("4.99 GB/s"), or in short notation when the unit is unknown. */
export function formatInUnit(value: number | null, unit: string | undefined): string {
  if (value === null || !Number.isFinite(value)) {
    return 'n/a';
  }
  return formattedValueToString(getValueFormat(unit ?? 'short')(value));
}

export function episodeTitle(episode: Episode, seriesName: string): string {
  const arrow = episode.direction === 'up' ? '▲' : '▼';
  return `${capitalize(episode.severityLabel)} ${KIND_WORDS[episode.explanation.kind]} ${arrow} ${
    episode.direction
  } (severity ${Math.round(episode.severity)}) · ${seriesName}`;
}

export function episodeText(episode: Episode, seriesName: string, unit: string | undefined): string {
  const { expected, actual, summary } = episode.explanation;
  const lines = [
    seriesName,
    `actual ${formatInUnit(actual, unit)} vs expected ${formatInUnit(expected, unit)}; peak score ${episode.peakScore.toFixed(
      2,
    )}${episode.open ? '; still going on' : ''}`,
    summary,
  ];
  return lines.join('\n');
}

export function episodeTags(
  episode: Episode,
  labels: Record<string, string>,
  extra: readonly string[] = [],
): string[] {
  return [
    episode.severityLabel,
    episode.direction,
    episode.explanation.kind,
    ...extra,
    ...Object.entries(labels).map(([k, v]) => `${k}:${v}`),
  ];
}

/** Episodes of all series, oldest first, as one frame. */
export function episodesToFrame(series: readonly ScoredSeries[], options: EpisodeFrameOptions): DataFrame {
  const names = uniqueNames(series.map((s) => formatLegend(options.legendFormat, s.labels)));
  const rows = series
    .flatMap((s, i) => s.episodes.map((episode) => ({ episode, series: s, name: names[i] })))
    .sort((a, b) => a.episode.start - b.episode.start);

  const column = <T>(pick: (row: (typeof rows)[number]) => T) => rows.map(pick);
  return regionFrame(
    { refId: options.refId, name: 'anomaly episodes', executedQueryString: options.executedQueryString },
    rows,
    (r) => ({
      time: r.episode.start,
      timeEnd: r.episode.end,
      title: episodeTitle(r.episode, r.name),
      text: episodeText(r.episode, r.name, unitForSeries(r.series)),
      tags: episodeTags(r.episode, r.series.labels, options.tags),
      color: STATUS_COLORS[r.episode.severityLabel],
    }),
    [
      { name: 'series', type: FieldType.string, values: column((r) => r.name) },
      {
        name: 'severity',
        type: FieldType.number,
        values: column((r) => r.episode.severity),
        config: { min: 0, max: 100 },
      },
      { name: 'severityLabel', type: FieldType.string, values: column((r) => r.episode.severityLabel) },
      { name: 'direction', type: FieldType.string, values: column((r) => r.episode.direction) },
      { name: 'kind', type: FieldType.string, values: column((r) => r.episode.explanation.kind) },
      {
        name: 'peakScore',
        type: FieldType.number,
        values: column((r) => r.episode.peakScore),
        config: { decimals: 2 },
      },
      { name: 'peakTime', type: FieldType.time, values: column((r) => r.episode.peakTime) },
      { name: 'open', type: FieldType.boolean, values: column((r) => r.episode.open) },
    ],
  );
}
