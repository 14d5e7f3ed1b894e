import React, { useEffect, useMemo, useRef, useState } from 'react';
import { css, keyframes } from '@emotion/css';
import { colorManipulator, type GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { PanelSeries } from '../frames/parse';
import { buildTiles, wallGrid, type WallTile } from '../frames/wall';
import type { Status } from '../frames/severity.gen';
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
/** An episode younger than this is "new" and pulses. */
const NEW_EPISODE_MS = 10 * 60000;

export function NocWall({ series, options, width, height, now }: Props) {
  const styles = useStyles2(getStyles);
  const tiles = useMemo(() => buildTiles(series, options.groupBy?.trim()), [series, options.groupBy]);
  const latest = useMemo(() => Math.max(0, ...series.map((s) => s.times[s.times.length - 1] ?? 0)), [series]);
  const first = wallGrid(tiles.length, width, height, options.tileMinWidth || 280, GAP);
  const grid =
    first.pages > 1 ? wallGrid(tiles.length, width, height - PAGER, options.tileMinWidth || 280, GAP) : first;
  const [page, setPage] = useState(0);
  useEffect(() => {
    if (grid.pages <= 1 || !(options.rotateSeconds > 0)) {
      return;
    }
    const id = setInterval(() => setPage((p) => (p + 1) % grid.pages), options.rotateSeconds * 1000);
    return () => clearInterval(id);
  }, [grid.pages, options.rotateSeconds]);
  const current = page % grid.pages;
  const shown = tiles.slice(current * grid.perPage, (current + 1) * grid.perPage);
  // Ages count on the data's clock when it runs ahead of the wall clock (a simulator or a skewed source).
  const clock = Math.max(useClock(now), now === undefined ? latest : 0);

  return (
    <div style={{ width, height }} data-testid="trafficlens-noc">
      <div
        className={styles.grid}
        style={{
          gridTemplateColumns: `repeat(${grid.columns}, ${grid.tileWidth}px)`,
          gridAutoRows: `${grid.tileHeight}px`,
          gap: GAP,
        }}
      >
        {shown.map((t) => (
          <Tile key={t.key} tile={t} width={grid.tileWidth} height={grid.tileHeight} now={clock} />
        ))}
      </div>
      {grid.pages > 1 && (
        <div className={styles.pager} data-testid="trafficlens-noc-pager">
          <button onClick={() => setPage((current + grid.pages - 1) % grid.pages)} aria-label="previous page">
            ‹
          </button>
          page {current + 1} / {grid.pages} · {tiles.length} tiles
          <button onClick={() => setPage((current + 1) % grid.pages)} aria-label="next page">
            ›
          </button>
        </div>
      )}
    </div>
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

function Tile({ tile, width, height, now }: { tile: WallTile; width: number; height: number; now: number }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const canvas = useRef<HTMLCanvasElement>(null);
  const { status, series: s } = tile;
  const bg = statusColor(theme, status.status);
  const quiet = QUIET.has(status.status);
  // High contrast: on the status colour in alarm, on the panel background (status as a thick edge) when quiet.
  const fill = quiet ? theme.colors.background.secondary : bg;
  const ink = theme.colors.getContrastText(fill);
  const format = useMemo(() => valueFormatter(s, theme), [s, theme]);
  const episode = status.openEpisode;
  const fresh = episode !== null && now - episode.start < NEW_EPISODE_MS;
  const base = Math.min(width / 12, height / 6);
  const sparkHeight = Math.max(20, Math.round(height * 0.3));
  const sparkWidth = Math.max(20, Math.round(width - base));

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext?.('2d');
    if (!el || !ctx) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    el.width = Math.round(sparkWidth * ratio);
    el.height = Math.round(sparkHeight * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawSparkline(ctx, s, sparkWidth, sparkHeight, ink, colorManipulator.alpha(ink, 0.22), ratio);
  }, [s, sparkWidth, sparkHeight, ink, theme]);

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
      <canvas ref={canvas} style={{ width: sparkWidth, height: sparkHeight, display: 'block' }} />
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
        {tile.members > 1 && (
          <span className={styles.aside}>
            {tile.anomalous}/{tile.members} anomalous
          </span>
        )}
      </div>
    </div>
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
