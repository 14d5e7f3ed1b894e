/**
 * NOC wall: series → tiles (one per series, or one per label group showing its worst member), sorted
 * worst first, and the grid that fits them on a screen. Pure.
 */
import { seriesStatus, type PanelSeries, type SeriesStatus } from './parse';
import type { Status } from './severity.gen';

export interface WallTile {
  key: string;
  /** short: what tells this tile from the others (see tileNames) */
  title: string;
  /** everything, for the tooltip */
  fullTitle: string;
  /** the series the tile shows (a group's worst) */
  series: PanelSeries;
  status: SeriesStatus;
  /** how many series the tile stands for, and how many of them are anomalous */
  members: number;
  anomalous: number;
}

/** Sort key: the worse, the higher. */
export const STATUS_RANK: Record<Status, number> = {
  critical: 6,
  major: 5,
  minor: 4,
  warning: 3,
  ok: 2,
  learning: 1,
  // A series that stopped reporting or went flat is a fault to look at, just below the alerts; one in
  // maintenance is expected to deviate and sorts with the quiet ones.
  stale: 3,
  flatline: 3,
  gap: 2,
  suppressed: 1,
  no_data: 0,
  unscored: 0,
};

export function worse(a: SeriesStatus, b: SeriesStatus): number {
  return (
    STATUS_RANK[b.status] - STATUS_RANK[a.status] ||
    b.severity - a.severity ||
    (b.currentScore ?? 0) - (a.currentScore ?? 0)
  );
}

/** Labels that name the metric; the least telling part of a tile name when every series shares them. */
const METRIC_LABELS = ['__name__', 'metric', 'name', 'measurement'];

/**
 * Tile names that keep what tells the series apart. A wall is usually one metric across many sites and
 * links, so the full names share a long part ("… interface bytes per second") that would push the
 * telling part out of a narrow tile. With labels: the values of the labels that differ between the
 * series, metric last (it ellipsizes first); without: the words the names do not all share at the
 * start or end. Falls back to the full name when nothing is left.
 */
export function tileNames(series: ReadonlyArray<Pick<PanelSeries, 'name' | 'labels'>>): string[] {
  if (series.length < 2) {
    return series.map((s) => s.name);
  }
  const keys: string[] = [];
  for (const s of series) {
    for (const k of Object.keys(s.labels ?? {})) {
      if (!keys.includes(k)) {
        keys.push(k);
      }
    }
  }
  const differing = keys.filter((k) => new Set(series.map((s) => s.labels?.[k] ?? '')).size > 1);
  const ordered = [
    ...differing.filter((k) => !METRIC_LABELS.includes(k)),
    ...differing.filter((k) => METRIC_LABELS.includes(k)),
  ];
  const words = series.map((s) => s.name.split(/\s+/).filter(Boolean));
  const shortest = Math.min(...words.map((w) => w.length));
  let head = 0;
  while (head < shortest && words.every((w) => w[head] === words[0][head])) {
    head++;
  }
  let tail = 0;
  while (
    tail < shortest - head &&
    words.every((w) => w[w.length - 1 - tail] === words[0][words[0].length - 1 - tail])
  ) {
    tail++;
  }
  return series.map((s, i) => {
    const fromLabels = ordered
      .filter((k) => s.labels?.[k])
      .map((k) => (METRIC_LABELS.includes(k) ? s.labels[k].replace(/_/g, ' ') : s.labels[k]))
      .join(' ');
    const fromName = words[i].slice(head, words[i].length - tail).join(' ');
    return fromLabels || fromName || s.name;
  });
}

export function buildTiles(series: readonly PanelSeries[], groupBy = ''): WallTile[] {
  const withStatus = series.map((s) => ({ s, st: seriesStatus(s) }));
  const short = tileNames(series);
  const names = new Map(series.map((s, i) => [s, short[i]]));
  const groups = new Map<string, typeof withStatus>();
  for (const item of withStatus) {
    const key = groupBy
      ? (item.s.labels[groupBy] ?? `(no ${groupBy})`)
      : `${item.s.name}\u0000${groups.size}`;
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  const tiles: WallTile[] = [];
  for (const [key, list] of groups) {
    list.sort((a, b) => worse(a.st, b.st));
    const top = list[0];
    tiles.push({
      key,
      title: groupBy ? `${groupBy}=${key}` : (names.get(top.s) ?? top.s.name),
      fullTitle: groupBy ? `${groupBy}=${key} (worst: ${top.s.name})` : top.s.name,
      series: top.s,
      status: top.st,
      members: list.length,
      anomalous: list.filter((x) => STATUS_RANK[x.st.status] > STATUS_RANK.ok).length,
    });
  }
  return tiles.sort((a, b) => worse(a.status, b.status) || a.title.localeCompare(b.title));
}

export interface WallGrid {
  columns: number;
  rows: number;
  perPage: number;
  pages: number;
  tileWidth: number;
  tileHeight: number;
}

/**
 * The grid with the largest tiles (aspect ≈ 16:10) that shows every tile; when tiles would be narrower
 * than `minWidth`, as many as fit at that width per page.
 */
export function wallGrid(count: number, width: number, height: number, minWidth: number, gap = 8): WallGrid {
  const n = Math.max(1, count);
  const minHeight = Math.max(80, minWidth * 0.45);
  let best: WallGrid | null = null;
  let bestSize = -1;
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    const tileWidth = (width - gap * (columns - 1)) / columns;
    const tileHeight = (height - gap * (rows - 1)) / rows;
    if (tileWidth < minWidth || tileHeight < minHeight) {
      continue;
    }
    const size = Math.min(tileWidth, tileHeight * 1.6);
    if (size > bestSize) {
      bestSize = size;
      best = { columns, rows, perPage: n, pages: 1, tileWidth, tileHeight };
    }
  }
  if (best) {
    return best;
  }
  const columns = Math.max(1, Math.floor((width + gap) / (minWidth + gap)));
  const rows = Math.max(1, Math.floor((height + gap) / (minHeight + gap)));
  const perPage = columns * rows;
  return {
    columns,
    rows,
    perPage,
    pages: Math.ceil(n / perPage),
    tileWidth: (width - gap * (columns - 1)) / columns,
    tileHeight: (height - gap * (rows - 1)) / rows,
  };
}
