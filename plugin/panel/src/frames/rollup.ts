/**
 * NOC wall roll-up by a hierarchy of labels (a job's `groups`, e.g. site → link): at each level one tile
 * per value of the level's label, with how many of its series are anomalous at each severity; opening a
 * tile shows the next level within it, and below the last level the series themselves. Groups are
 * sorted worst first: the group with the worst current alert (the worst incident) leads. Pure.
 */
import { seriesStatus, type PanelSeries, type SeriesStatus } from './parse';
import { SEVERITY_LABELS, type SeverityLabel } from './severity.gen';
import { buildTiles, STATUS_RANK, worse, type WallTile } from './wall';

export interface GroupTile {
  /** the label of this level and the group's value of it */
  label: string;
  value: string;
  title: string;
  /** series in the group, and how many of them are anomalous (an alert, or a stale / flat series) */
  members: number;
  anomalous: number;
  /** anomalous series by severity band */
  counts: Record<SeverityLabel, number>;
  /** the worst series of the group and its status: the tile's colour and sparkline */
  worst: PanelSeries;
  status: SeriesStatus;
}

export type RollupView =
  { kind: 'groups'; label: string; tiles: GroupTile[] } | { kind: 'series'; tiles: WallTile[] };

/** The hierarchy from the option's text: `site, link` or `site > link` → ['site', 'link']. */
export function parseLevels(text: string | undefined): string[] {
  const levels = (text ?? '')
    .split(/[,>/\s]+/)
    .map((l) => l.trim())
    .filter(Boolean);
  return [...new Set(levels)];
}

/** A series outside a level's label sits in a group of its own, named like this. */
export const missing = (label: string) => `(no ${label})`;

const valueAt = (s: PanelSeries, label: string) => s.labels[label] ?? missing(label);

/** The series under `path` (the values chosen so far, one per level from the top). */
export function seriesUnder(
  series: readonly PanelSeries[],
  levels: readonly string[],
  path: readonly string[],
): PanelSeries[] {
  return series.filter((s) => path.every((value, i) => valueAt(s, levels[i]) === value));
}

/** What the wall shows at `path`: the groups of the next level, or the series once every level is chosen. */
export function rollUp(
  series: readonly PanelSeries[],
  levels: readonly string[],
  path: readonly string[],
): RollupView {
  const under = seriesUnder(series, levels, path);
  if (path.length >= levels.length) {
    return { kind: 'series', tiles: buildTiles(under) };
  }
  const label = levels[path.length];
  const byValue = new Map<string, Array<{ s: PanelSeries; st: SeriesStatus }>>();
  for (const s of under) {
    const value = valueAt(s, label);
    const list = byValue.get(value) ?? [];
    list.push({ s, st: seriesStatus(s) });
    byValue.set(value, list);
  }
  const tiles: GroupTile[] = [];
  for (const [value, list] of byValue) {
    list.sort((a, b) => worse(a.st, b.st));
    const counts = Object.fromEntries(SEVERITY_LABELS.map((l) => [l, 0])) as Record<SeverityLabel, number>;
    for (const { st } of list) {
      if ((SEVERITY_LABELS as readonly string[]).includes(st.status)) {
        counts[st.status as SeverityLabel]++;
      }
    }
    tiles.push({
      label,
      value,
      title: `${label}=${value}`,
      members: list.length,
      anomalous: list.filter((x) => STATUS_RANK[x.st.status] > STATUS_RANK.ok).length,
      counts,
      worst: list[0].s,
      status: list[0].st,
    });
  }
  tiles.sort(
    (a, b) =>
      worse(a.status, b.status) ||
      // Same worst alert: the group with more series at the worst bands first.
      [...SEVERITY_LABELS].reverse().reduce((d, l) => d || b.counts[l] - a.counts[l], 0) ||
      b.anomalous - a.anomalous ||
      a.value.localeCompare(b.value),
  );
  return { kind: 'groups', label, tiles };
}
