import { formattedValueToString, getDisplayProcessor, type GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import type { PanelSeries } from '../frames/parse';

/**
 * The value field's own unit and decimals, as Grafana would show it. A field without a unit (plain series
 * from another datasource often have none) is shown in Grafana's `short` unit: raw traffic counts such as
 * 1234567890 would not fit the axis or a NOC tile, "1.23 Bil" does.
 */
export function valueFormatter(
  s: PanelSeries,
  theme: GrafanaTheme2,
  timeZone?: TimeZone,
): (v: number | null) => string {
  const field = s.field.config?.unit ? s.field : { ...s.field, config: { ...s.field.config, unit: 'short' } };
  const display = (field === s.field && s.field.display) || getDisplayProcessor({ field, theme, timeZone });
  return (v) => (v === null || v === undefined ? '–' : formattedValueToString(display(v)));
}

/** "12m", "3h 5m", "2d 4h": how long an episode has been open. */
export function formatAge(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60000));
  if (m < 60) {
    return `${m}m`;
  }
  const h = Math.floor(m / 60);
  if (h < 48) {
    return `${h}h ${m % 60}m`;
  }
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
