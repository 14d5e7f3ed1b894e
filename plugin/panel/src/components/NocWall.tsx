import React, { useEffect, useMemo, useRef, useState } from 'react';
import { css, keyframes } from '@emotion/css';
import { colorManipulator, type GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { PanelSeries } from '../frames/parse';
import { buildTiles, wallGrid, type WallTile } from '../frames/wall';
import { fillsInBadge } from '../frames/fillsIn';
import { parseLevels, rollUp, seriesUnder, type GroupTile, type RollupView } from '../frames/rollup';
import { SEVERITY_LABELS, type Status } from '../frames/severity.gen';
import { statusColor } from '../draw/colors';
import { drawSparkline } from '../draw/sparkline';
import type { PanelOptions } from '../types';
import { formatAge, valueFormatter } from './format';

interface Props {
  series: PanelSeries[];
  options: PanelOptions;
  width: number;
  height: number;
  /** for tests: the clock episode ages are measured against */
  now?: number;
}

const GAP = 8;
const PAGER = 28;
/** The roll-up's path bar ("All › site=ams › link=ix"). */
const CRUMBS = 30;
/** An episode younger than this is "new" and pulses. */
const NEW_EPISODE_MS = 10 * 60000;

export function NocWall({ series, options, width, height, now }: Props) {
  const styles = useStyles2(getStyles);
  const levels = useMemo(() => parseLevels(options.rollUp), [options.rollUp]);
  const [chosen, setChosen] = useState<string[]>([]);
  // A path the series no longer reach (a group that went away, fewer levels) falls back to the top.
  const path = useMemo(() => {
    const p = chosen.slice(0, levels.length);
    return p.length > 0 && seriesUnder(series, levels, p).length === 0 ? [] : p;
  }, [chosen, levels, series]);
  const view: RollupView = useMemo(
    () =>
      levels.length > 0
        ? rollUp(series, levels, path)
        : { kind: 'series', tiles: buildTiles(series, options.groupBy?.trim()) },
    [series, levels, path, options.groupBy],
  );
  const count = view.tiles.length;
  const latest = useMemo(() => Math.max(0, ...series.map((s) => s.times[s.times.length - 1] ?? 0)), [series]);
  const wallHeight = levels.length > 0 ? height - CRUMBS : height;
  const first = wallGrid(count, width, wallHeight, options.tileMinWidth || 280, GAP);
  const grid =
    first.pages > 1 ? wallGrid(count, width, wallHeight - PAGER, options.tileMinWidth || 280, GAP) : first;
  const [page, setPage] = useState(0);
  useEffect(() => {
    if (grid.pages <= 1 || !(options.rotateSeconds > 0)) {
      return;
    }
    const id = setInterval(() => setPage((p) => (p + 1) % grid.pages), options.rotateSeconds * 1000);
    return () => clearInterval(id);
  }, [grid.pages, options.rotateSeconds]);
  const current = page % grid.pages;
  const from = current * grid.perPage;
  // Ages count on the data's clock when it runs ahead of the wall clock (a simulator or a skewed source).
  const clock = Math.max(useClock(now), now === undefined ? latest : 0);

  // After the operator opens or leaves a group, the keyboard focus goes to the new level's first tile.
  const wall = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  const go = (next: string[]) => {
    moved.current = true;
    setPage(0);
    setChosen(next);
  };
  useEffect(() => {
    if (moved.current) {
      moved.current = false;
      wall.current?.querySelector<HTMLElement>('[data-testid="trafficlens-tile"]')?.focus();
    }
  }, [path]);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if ((e.key === 'Escape' || e.key === 'Backspace') && path.length > 0) {
      e.preventDefault();
      go(path.slice(0, -1));
    }
  };

  return (
    <div style={{ width, height }} data-testid="trafficlens-noc" ref={wall} onKeyDown={onKeyDown}>
      {levels.length > 0 && <Crumbs levels={levels} path={path} onGo={go} />}
      <div
        className={styles.grid}
        style={{
          gridTemplateColumns: `repeat(${grid.columns}, ${grid.tileWidth}px)`,
          gridAutoRows: `${grid.tileHeight}px`,
          gap: GAP,
        }}
      >
        {view.kind === 'groups'
          ? view.tiles
              .slice(from, from + grid.perPage)
              .map((t) => (
                <GroupTileView
                  key={t.value}
                  tile={t}
                  width={grid.tileWidth}
                  height={grid.tileHeight}
                  onOpen={() => go([...path, t.value])}
                />
              ))
          : view.tiles
              .slice(from, from + grid.perPage)
              .map((t) => (
                <Tile
                  key={t.key}
                  tile={t}
                  width={grid.tileWidth}
                  height={grid.tileHeight}
                  now={clock}
                  focusable={levels.length > 0}
                />
              ))}
      </div>
      {grid.pages > 1 && (
        <div className={styles.pager} data-testid="trafficlens-noc-pager">
          <button onClick={() => setPage((current + grid.pages - 1) % grid.pages)} aria-label="previous page">
            ‹
          </button>
          page {current + 1} / {grid.pages} · {count} tiles
          <button onClick={() => setPage((current + 1) % grid.pages)} aria-label="next page">
            ›
          </button>
        </div>
      )}
    </div>
  );
}

/** Where the roll-up is: every level chosen so far, each a button back to it (Escape goes up one). */
function Crumbs({
  levels,
  path,
  onGo,
}: {
  levels: readonly string[];
  path: readonly string[];
  onGo: (path: string[]) => void;
}) {
  const styles = useStyles2(getStyles);
  const steps = [
    { text: `All ${levels[0]}s`, to: [] as string[] },
    ...path.map((value, i) => ({ text: `${levels[i]}=${value}`, to: path.slice(0, i + 1) })),
  ];
  return (
    <nav className={styles.crumbs} aria-label="NOC wall roll-up" data-testid="trafficlens-noc-crumbs">
      {steps.map((step, i) => {
        const last = i === steps.length - 1;
        return (
          <React.Fragment key={step.text}>
            {i > 0 && <span aria-hidden="true">›</span>}
            <button
              type="button"
              className={styles.crumb}
              aria-current={last ? 'location' : undefined}
              disabled={last}
              onClick={() => onGo(step.to)}
            >
              {step.text}
            </button>
          </React.Fragment>
        );
      })}
      {path.length > 0 && <span className={styles.hint}>Esc: up one level</span>}
    </nav>
  );
}

/** Wall-clock time for episode ages, refreshed every 30 s (fixed when a test gives `now`). */
function useClock(fixed?: number): number {
  const [clock, setClock] = useState(() => fixed ?? Date.now());
  useEffect(() => {
    if (fixed !== undefined) {
      return;
    }
    const id = setInterval(() => setClock(Date.now()), 30000);
    return () => clearInterval(id);
  }, [fixed]);
  return fixed ?? clock;
}

/** A tile's word for a status that is not an alert (an alert shows its severity label and number). */
const STATUS_WORDS: Partial<Record<Status, string>> = {
  ok: 'OK',
  learning: 'LEARNING',
  no_data: 'NO DATA',
  unscored: 'NO SCORE',
  suppressed: 'MAINTENANCE',
  stale: 'STALE',
  gap: 'GAP',
  flatline: 'FLATLINE',
};
/** Statuses drawn on the panel background with a coloured edge, not filled: nothing to act on. */
const QUIET: ReadonlySet<Status> = new Set<Status>(['ok', 'unscored', 'no_data', 'suppressed']);

/** A series' sparkline (band and value) in the tile's ink colour. */
function Sparkline({
  series,
  width,
  height,
  ink,
}: {
  series: PanelSeries;
  width: number;
  height: number;
  ink: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext?.('2d');
    if (!el || !ctx) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    el.width = Math.round(width * ratio);
    el.height = Math.round(height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawSparkline(ctx, series, width, height, ink, colorManipulator.alpha(ink, 0.22), ratio);
  }, [series, width, height, ink]);
  return <canvas ref={canvas} style={{ width, height, display: 'block' }} />;
}

function Tile({
  tile,
  width,
  height,
  now,
  focusable = false,
}: {
  tile: WallTile;
  width: number;
  height: number;
  now: number;
  /** in a roll-up, series tiles take the focus too, so a keyboard user reads them after opening a group */
  focusable?: boolean;
}) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const { status, series: s } = tile;
  const bg = statusColor(theme, status.status);
  const quiet = QUIET.has(status.status);
  // High contrast: on the status colour in alarm, on the panel background (status as a thick edge) when quiet.
  const fill = quiet ? theme.colors.background.secondary : bg;
  const ink = theme.colors.getContrastText(fill);
  const format = useMemo(() => valueFormatter(s, theme), [s, theme]);
  // A forecast against a capacity (the datasource's Forecast format on the same series): when it fills up.
  const fills = useMemo(() => fillsInBadge(s), [s]);
  const episode = status.openEpisode;
  const fresh = episode !== null && now - episode.start < NEW_EPISODE_MS;
  const base = Math.min(width / 12, height / 6);
  const sparkHeight = Math.max(20, Math.round(height * 0.3));
  const sparkWidth = Math.max(20, Math.round(width - base));

  const label = STATUS_WORDS[status.status] ?? `${status.status.toUpperCase()} ${status.severity.toFixed(0)}`;

  return (
    <div
      className={`${styles.tile} ${fresh ? styles.fresh : ''}`}
      style={{
        background: fill,
        color: ink,
        borderLeft: `${Math.max(6, base / 3)}px solid ${bg}`,
        opacity: quiet ? 0.8 : 1,
        padding: base / 2.5,
      }}
      data-testid="trafficlens-tile"
      data-status={status.status}
      tabIndex={focusable ? 0 : undefined}
      aria-label={`${tile.fullTitle}: ${label}`}
      title={episode ? `${tile.fullTitle}\npeak score ${episode.peakScore.toFixed(2)}` : tile.fullTitle}
    >
      {/* The name has the whole first line: which link or site is in trouble matters most after the colour. */}
      <div className={styles.name} style={{ fontSize: base * 0.9 }} data-testid="trafficlens-tile-name">
        {tile.title}
      </div>
      <div className={styles.value} style={{ fontSize: base * 2 }}>
        {format(status.currentValue)}
      </div>
      <Sparkline series={s} width={sparkWidth} height={sparkHeight} ink={ink} />
      <div className={styles.foot} style={{ fontSize: base * 0.8 }}>
        <span className={styles.status}>
          <b className={styles.badge}>{label}</b>
          {episode ? (
            <span data-testid="trafficlens-tile-age">
              {' · '}
              {fresh ? 'NEW · ' : ''}open {formatAge(now - episode.start)}
            </span>
          ) : status.currentScore !== null ? (
            ` · score ${status.currentScore.toFixed(2)}`
          ) : (
            ''
          )}
        </span>
        {fills && (
          <span
            className={`${styles.aside} ${fills.urgent ? styles.urgent : ''}`}
            title={fills.title}
            data-testid="trafficlens-tile-fills"
            data-urgent={fills.urgent}
          >
            fills {fills.text}
          </span>
        )}
        {tile.members > 1 && (
          <span className={styles.aside}>
            {tile.anomalous}/{tile.members} anomalous
          </span>
        )}
      </div>
    </div>
  );
}

/**
 * A group of the roll-up (a site, a link): coloured by its worst series, with how many of its series
 * are anomalous at each severity band, worst band first, and that series' sparkline. A button: a click,
 * Enter or Space opens the group.
 */
function GroupTileView({
  tile,
  width,
  height,
  onOpen,
}: {
  tile: GroupTile;
  width: number;
  height: number;
  onOpen: () => void;
}) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const { status } = tile;
  const bg = statusColor(theme, status.status);
  const quiet = QUIET.has(status.status);
  const fill = quiet ? theme.colors.background.secondary : bg;
  const ink = theme.colors.getContrastText(fill);
  const base = Math.min(width / 12, height / 6);
  const sparkHeight = Math.max(16, Math.round(height * 0.22));
  const sparkWidth = Math.max(20, Math.round(width - base));
  const bands = [...SEVERITY_LABELS].reverse().filter((l) => tile.counts[l] > 0);
  const label = STATUS_WORDS[status.status] ?? `${status.status.toUpperCase()} ${status.severity.toFixed(0)}`;
  const countsText = bands.length ? bands.map((l) => `${tile.counts[l]} ${l}`).join(', ') : 'no alerts';
  return (
    <button
      type="button"
      className={`${styles.tile} ${styles.group}`}
      style={{
        background: fill,
        color: ink,
        borderLeft: `${Math.max(6, base / 3)}px solid ${bg}`,
        opacity: quiet ? 0.8 : 1,
        padding: base / 2.5,
      }}
      onClick={onOpen}
      data-testid="trafficlens-tile"
      data-group={tile.title}
      data-status={status.status}
      aria-label={`${tile.title}: ${label}; ${countsText}; ${tile.anomalous} of ${tile.members} series anomalous. Open`}
      title={`${tile.title}: worst ${tile.worst.name}`}
    >
      <div className={styles.name} style={{ fontSize: base * 0.9 }} data-testid="trafficlens-tile-name">
        {tile.title}
      </div>
      <div className={styles.counts} style={{ fontSize: base * 0.95 }} data-testid="trafficlens-tile-counts">
        {bands.length === 0 ? (
          <b>{label}</b>
        ) : (
          bands.map((l) => (
            <span key={l} className={styles.count}>
              {/* A swatch of the band's colour, ringed in the ink so it shows on a tile of the same colour. */}
              <span
                className={styles.swatch}
                style={{ background: statusColor(theme, l), borderColor: ink }}
                aria-hidden="true"
              />
              <b>{tile.counts[l]}</b> {l}
            </span>
          ))
        )}
      </div>
      <Sparkline series={tile.worst} width={sparkWidth} height={sparkHeight} ink={ink} />
      <div className={styles.foot} style={{ fontSize: base * 0.8 }}>
        <span className={styles.status}>worst {tile.worst.name}</span>
        <span className={styles.aside}>
          {tile.anomalous}/{tile.members} anomalous ›
        </span>
      </div>
    </button>
  );
}

const pulse = keyframes({
  '0%, 100%': { boxShadow: '0 0 0 0 rgba(255,255,255,0)' },
  '50%': { boxShadow: '0 0 0 4px rgba(255,255,255,0.8)' },
});

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({ display: 'grid', overflow: 'hidden' }),
  tile: css({
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'space-between',
    overflow: 'hidden',
    borderRadius: theme.shape.radius.default,
    fontWeight: theme.typography.fontWeightMedium,
    lineHeight: 1.15,
  }),
  fresh: css({ animation: `${pulse} 2s ease-in-out infinite` }),
  // A group tile is a button: the tile's look, text left-aligned, a clear focus ring for the keyboard.
  group: css({
    border: 'none',
    textAlign: 'left',
    cursor: 'pointer',
    font: 'inherit',
    fontWeight: theme.typography.fontWeightMedium,
    '&:focus-visible': { outline: `3px solid ${theme.colors.primary.main}`, outlineOffset: 2 },
  }),
  counts: css({ display: 'flex', flexWrap: 'wrap', columnGap: '0.8em', overflow: 'hidden' }),
  count: css({
    display: 'inline-flex',
    alignItems: 'center',
    gap: '0.3em',
    whiteSpace: 'nowrap',
    lineHeight: 1.3,
  }),
  swatch: css({ width: '0.8em', height: '0.8em', borderRadius: 2, border: '2px solid' }),
  crumbs: css({
    height: CRUMBS,
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    color: theme.colors.text.secondary,
    overflow: 'hidden',
    whiteSpace: 'nowrap',
  }),
  crumb: css({
    background: 'none',
    border: 'none',
    padding: 0,
    color: theme.colors.text.link,
    cursor: 'pointer',
    font: 'inherit',
    '&:disabled': {
      color: theme.colors.text.primary,
      cursor: 'default',
      fontWeight: theme.typography.fontWeightBold,
    },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` },
  }),
  hint: css({ marginLeft: 'auto', fontSize: theme.typography.bodySmall.fontSize }),
  // clip, not hidden: only sideways, so descenders are not cut off.
  name: css({ overflowX: 'clip', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  badge: css({ fontWeight: theme.typography.fontWeightBold }),
  // The status line gives way (ellipsis) before the peak or member count does.
  status: css({
    flex: '1 1 auto',
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  aside: css({ flex: 'none', whiteSpace: 'nowrap' }),
  // Fills up within a day: underlined, so it reads as a warning whatever the tile's colour.
  urgent: css({ fontWeight: theme.typography.fontWeightBold, textDecoration: 'underline' }),
  value: css({ fontWeight: theme.typography.fontWeightBold, whiteSpace: 'nowrap', overflowX: 'clip' }),
  foot: css({ display: 'flex', justifyContent: 'space-between', gap: theme.spacing(1), opacity: 0.9 }),
  pager: css({
    height: PAGER,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    gap: theme.spacing(2),
    color: theme.colors.text.secondary,
    button: { background: 'none', border: 'none', color: 'inherit', fontSize: 20, cursor: 'pointer' },
  }),
});
