import { colorManipulator, type GrafanaTheme2 } from '@grafana/data';
import { STATUS_COLORS, type Status } from '../frames/severity.gen';

export function statusColor(theme: GrafanaTheme2, status: Status): string {
  return theme.visualization.getColorByName(STATUS_COLORS[status]);
}

/** `color` at the given opacity (0–1), whatever CSS colour form the theme uses. */
export function withAlpha(theme: GrafanaTheme2, color: string, alpha: number): string {
  return colorManipulator.alpha(color, alpha);
}

/**
 * Value lines in blues and purples: green is the band, yellow to red are severities, so the classic
 * palette (which starts with green) would blur what the overlay says.
 */
const VALUE_COLORS = ['blue', 'light-blue', 'purple', 'dark-blue'];

export function seriesColor(theme: GrafanaTheme2, index: number): string {
  return theme.visualization.getColorByName(VALUE_COLORS[index % VALUE_COLORS.length]);
}
