import React, { useEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type AbsoluteTimeRange, type GrafanaTheme2, type TimeRange } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { PanelEpisode, PanelSeries } from '../frames/parse';
import { severityLabel, severityOf } from '../frames/severity.gen';
import { seriesColor, statusColor } from '../draw/colors';
import {
  drawRow,
  rowGeometry,
  SCORE_HEIGHT,
  TIME_AXIS_HEIGHT,
  TITLE_HEIGHT,
  type RowLayout,
} from '../draw/overlay';
import { nearestIndex } from '../draw/scale';
import type { PanelOptions } from '../types';
import { valueFormatter } from './format';

interface Props {
  series: PanelSeries[];
  options: PanelOptions;
  width: number;
  height: number;
  timeRange?: TimeRange;
  timeZone?: TimeZone;
  onChangeTimeRange?: (range: AbsoluteTimeRange) => void;
  /** A range selected with shift held: the operator wants it as a maintenance window for that series. */
  onSelectMaintenance?: (series: PanelSeries, from: number, to: number) => void;
  /** A click inside an episode of a job's own series: the operator wants to give feedback on it. */
  onSelectEpisode?: (series: PanelSeries, episode: PanelEpisode) => void;
  /** A click on the title of a job's own series: its live sensitivity. */
  onSelectSeries?: (series: PanelSeries) => void;
}

const MIN_ROW = 90;

function dataRange(series: PanelSeries[]): [number, number] {
  let from = Infinity;
  let to = -Infinity;
  for (const s of series) {
    if (s.times.length) {
      from = Math.min(from, s.times[0]);
      to = Math.max(to, s.times[s.times.length - 1]);
    }
  }
  return from < to ? [from, to] : [Date.now() - 3600000, Date.now()];
}

/** Small multiples: one row per series on a shared time axis (the panel's range), scrolling when many. */
export function Overlay({
  series,
  options,
  width,
  height,
  timeRange,
  timeZone,
  onChangeTimeRange,
  onSelectMaintenance,
  onSelectEpisode,
  onSelectSeries,
}: Props) {
  const [from, to] = useMemo<[number, number]>(() => {
    const f = timeRange?.from?.valueOf();
    const t = timeRange?.to?.valueOf();
    return f !== undefined && t !== undefined && t > f ? [f, t] : dataRange(series);
  }, [timeRange, series]);
  const minRow = MIN_ROW + TITLE_HEIGHT + (options.showScore ? SCORE_HEIGHT : 0);
  const rowHeight = Math.max(minRow, Math.floor((height - TIME_AXIS_HEIGHT) / Math.max(1, series.length)));
  const scrolls = rowHeight * series.length + TIME_AXIS_HEIGHT > height;
  const rowWidth = scrolls ? width - 12 : width;
  return (
    <div style={{ width, height, overflowY: scrolls ? 'auto' : 'hidden' }} data-testid="trafficlens-overlay">
      {series.map((s, i) => (
        <SeriesRow
          key={`${s.name}-${i}`}
          series={s}
          index={i}
          options={options}
          width={rowWidth}
          height={rowHeight + (i === series.length - 1 ? TIME_AXIS_HEIGHT : 0)}
          showTimeAxis={i === series.length - 1}
          from={from}
          to={to}
          timeZone={timeZone}
          onChangeTimeRange={onChangeTimeRange}
          onSelectMaintenance={onSelectMaintenance}
          onSelectEpisode={onSelectEpisode}
          onSelectSeries={onSelectSeries}
        />
      ))}
    </div>
  );
}

interface RowProps {
  series: PanelSeries;
  index: number;
  options: PanelOptions;
  width: number;
  height: number;
  showTimeAxis: boolean;
  from: number;
  to: number;
  timeZone?: TimeZone;
  onChangeTimeRange?: (range: AbsoluteTimeRange) => void;
  onSelectMaintenance?: (series: PanelSeries, from: number, to: number) => void;
  onSelectEpisode?: (series: PanelSeries, episode: PanelEpisode) => void;
  onSelectSeries?: (series: PanelSeries) => void;
}

function SeriesRow({
  series: s,
  index,
  options,
  width,
  height,
  showTimeAxis,
  from,
  to,
  timeZone,
  onChangeTimeRange,
  onSelectMaintenance,
  onSelectEpisode,
  onSelectSeries,
}: RowProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ i: number; px: number; py: number } | null>(null);
  // A plain drag zooms; with shift held it selects a maintenance window.
  const [drag, setDrag] = useState<{ x0: number; x1: number; maintenance: boolean } | null>(null);
  const format = useMemo(() => valueFormatter(s, theme, timeZone), [s, theme, timeZone]);
  const layout: RowLayout = useMemo(
    () => ({
      width,
      height,
      from,
      to,
      showBand: options.showBand,
      showExpected: options.showExpected,
      showEpisodes: options.showEpisodes,
      showScore: options.showScore,
      showTimeAxis,
      timeZone,
      color: seriesColor(theme, index),
      formatValue: (v: number) => format(v),
    }),
    [width, height, from, to, options, showTimeAxis, timeZone, theme, index, format],
  );

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext?.('2d');
    if (!el || !ctx || width <= 0 || height <= 0) {
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    el.width = Math.round(width * ratio);
    el.height = Math.round(height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawRow(ctx, theme, s, layout, ratio);
  }, [s, layout, theme, width, height]);

  const geometry = useMemo(() => rowGeometry(s, layout), [s, layout]);
  const localX = (e: React.MouseEvent) => e.clientX - e.currentTarget.getBoundingClientRect().left;
  const onMove = (e: React.MouseEvent<HTMLDivElement>) => {
    const px = localX(e);
    if (drag) {
      setDrag({ ...drag, x1: px });
    }
    const i = nearestIndex(s.times, geometry.x.invert(px));
    if (i < 0 || px < geometry.plot.left || px > geometry.plot.right) {
      setHover(null);
      return;
    }
    setHover({ i, px: geometry.x(s.times[i]), py: e.clientY - e.currentTarget.getBoundingClientRect().top });
  };
  const onUp = (e: React.MouseEvent<HTMLDivElement>) => {
    // A click on the title line of a job's own series: its live sensitivity.
    const py = e.clientY - e.currentTarget.getBoundingClientRect().top;
    if (drag && Math.abs(drag.x1 - drag.x0) <= 5 && py < geometry.plot.top && s.job && onSelectSeries) {
      setDrag(null);
      onSelectSeries(s);
      return;
    }
    if (drag && Math.abs(drag.x1 - drag.x0) > 5) {
      const a = Math.round(geometry.x.invert(Math.min(drag.x0, drag.x1)));
      const b = Math.round(geometry.x.invert(Math.max(drag.x0, drag.x1)));
      if (drag.maintenance && onSelectMaintenance) {
        onSelectMaintenance(s, a, b);
      } else if (!drag.maintenance && onChangeTimeRange) {
        onChangeTimeRange({ from: a, to: b });
      }
    } else if (drag && s.job && onSelectEpisode) {
      // A click: on a job's own series, inside one of its episodes, opens that episode's feedback. The
      // point is the click's own, not the last hover's: a click with no mouse move before it (a touch, or
      // a move whose state update had not yet rendered) found no hover and opened nothing.
      const px = localX(e);
      const i = nearestIndex(s.times, geometry.x.invert(px));
      const t = i >= 0 && px >= geometry.plot.left && px <= geometry.plot.right ? s.times[i] : NaN;
      const episode = s.episodes.find((e) => e.start <= t && t <= e.end);
      if (episode) {
        onSelectEpisode(s, episode);
      }
    }
    setDrag(null);
  };

  return (
    <div
      className={styles.row}
      style={{ width, height }}
      onMouseMove={onMove}
      onMouseLeave={() => {
        setHover(null);
        setDrag(null);
      }}
      onMouseDown={(e) => setDrag({ x0: localX(e), x1: localX(e), maintenance: e.shiftKey })}
      onMouseUp={onUp}
      data-testid="trafficlens-overlay-row"
      aria-label={`${s.name}: ${s.episodes.length} anomaly episodes`}
    >
      <canvas ref={canvas} style={{ width, height, display: 'block' }} />
      {drag && Math.abs(drag.x1 - drag.x0) > 2 && (
        <div
          className={drag.maintenance ? styles.maintenanceSelection : styles.selection}
          data-testid={drag.maintenance ? 'trafficlens-maintenance-selection' : undefined}
          style={{
            left: Math.min(drag.x0, drag.x1),
            width: Math.abs(drag.x1 - drag.x0),
            top: geometry.plot.top,
            bottom: 0,
          }}
        />
      )}
      {hover && !drag && (
        <>
          <div className={styles.crosshair} style={{ left: hover.px, top: geometry.plot.top, bottom: 0 }} />
          <Tooltip
            series={s}
            index={hover.i}
            format={format}
            timeZone={timeZone}
            left={hover.px}
            top={hover.py}
            rowWidth={width}
          />
        </>
      )}
    </div>
  );
}

interface TooltipProps {
  series: PanelSeries;
  index: number;
  format: (v: number | null) => string;
  timeZone?: TimeZone;
  left: number;
  top: number;
  rowWidth: number;
}

export function Tooltip({ series: s, index: i, format, timeZone, left, top, rowWidth }: TooltipProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const t = s.times[i];
  const score = s.score?.[i] ?? null;
  const severity = score !== null ? severityOf(score) : 0;
  const episode = s.episodes.find((e) => e.start <= t && t <= e.end);
  const anomalous = s.anomaly?.[i] === true;
  const flip = left > rowWidth / 2;
  return (
    <div
      className={styles.tooltip}
      style={flip ? { right: rowWidth - left + 12, top } : { left: left + 12, top }}
      data-testid="trafficlens-tooltip"
    >
      <div className={styles.tipTitle}>{s.name}</div>
      <div>{dateTimeFormat(t, { format: 'YYYY-MM-DD HH:mm:ss', timeZone })}</div>
      <table>
        <tbody>
          <tr>
            <td>value</td>
            <td>{format(s.values[i])}</td>
          </tr>
          {s.expected && (
            <tr>
              <td>expected</td>
              <td>{format(s.expected[i])}</td>
            </tr>
          )}
          {s.lower && s.upper && (
            <tr>
              <td>normal band</td>
              <td>
                {format(s.lower[i])} – {format(s.upper[i])}
              </td>
            </tr>
          )}
          {score !== null && (
            <tr>
              <td>score</td>
              <td>{score.toFixed(2)} (boundary 1)</td>
            </tr>
          )}
          {anomalous && (
            <tr>
              <td>severity</td>
              <td style={{ color: statusColor(theme, severityLabel(severity)) }}>
                {severityLabel(severity)} {severity.toFixed(0)}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {episode && (
        <div className={styles.explanation}>
          episode {episode.severityLabel} (peak {episode.peakScore.toFixed(2)}): {episode.explanation}
        </div>
      )}
      {s.maintenance?.some((m) => m.start <= t && t < m.end) && (
        <div className={styles.explanation} data-testid="trafficlens-tooltip-maintenance">
          in a maintenance window: scored and shown, never an alert
        </div>
      )}
      {s.state === 'unscored' && (
        <div className={styles.explanation}>no score: not from a TrafficLens datasource</div>
      )}
      <div className={styles.explanation}>
        drag to zoom · shift-drag: maintenance window
        {episode && s.job ? ' · click: feedback on this episode' : ''}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({ position: 'relative', userSelect: 'none', cursor: 'crosshair' }),
  crosshair: css({
    position: 'absolute',
    width: 1,
    background: theme.colors.text.secondary,
    pointerEvents: 'none',
  }),
  selection: css({
    position: 'absolute',
    background: theme.colors.primary.transparent,
    pointerEvents: 'none',
  }),
  maintenanceSelection: css({
    position: 'absolute',
    background: 'rgba(143, 59, 184, 0.25)',
    borderLeft: '1px dashed rgb(143, 59, 184)',
    borderRight: '1px dashed rgb(143, 59, 184)',
    pointerEvents: 'none',
  }),
  tooltip: css({
    position: 'absolute',
    zIndex: theme.zIndex.tooltip,
    pointerEvents: 'none',
    background: theme.colors.background.elevated ?? theme.colors.background.secondary,
    boxShadow: theme.shadows.z3,
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
    maxWidth: 420,
    td: { paddingRight: theme.spacing(1), whiteSpace: 'nowrap' },
  }),
  tipTitle: css({ fontWeight: theme.typography.fontWeightMedium }),
  explanation: css({ marginTop: theme.spacing(0.5), color: theme.colors.text.secondary }),
});
