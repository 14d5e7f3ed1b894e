/* global document -- runs in the page */
/**
 * The panel plugin's component with the props Grafana's PanelChrome gives it, inside Grafana's theme:
 * shared by the demo page and the render benchmark (test/bench/render.mjs).
 */
import React from 'react';
import * as data from '@grafana/data';
import * as ui from '@grafana/ui';

const h = React.createElement;

/** The plugin's panel component with the props Grafana's PanelChrome gives it. */
export function Panel({ plugin, frames, from, to, width, height, options }) {
  const eventBus = React.useMemo(() => new data.EventBusSrv(), []);
  const range = React.useMemo(() => {
    const f = data.dateTime(from);
    const t = data.dateTime(to);
    return { from: f, to: t, raw: { from: f, to: t } };
  }, [from, to]);
  return h(plugin.panel, {
    id: 1,
    title: 'TrafficLens',
    transparent: false,
    renderCounter: 0,
    width,
    height,
    timeZone: 'utc',
    timeRange: range,
    data: { state: data.LoadingState.Done, series: frames, timeRange: range },
    options,
    fieldConfig: { defaults: {}, overrides: [] },
    eventBus,
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (s) => s,
    onChangeTimeRange: () => {},
  });
}

export function Themed({ mode, children }) {
  const theme = React.useMemo(() => data.createTheme({ colors: { mode } }), [mode]);
  // Not @grafana/ui's GlobalStyles: they load Grafana's fonts from /public/fonts, which only Grafana serves.
  React.useEffect(() => {
    document.body.style.background = theme.colors.background.primary;
    document.body.style.color = theme.colors.text.primary;
    document.body.style.fontFamily = theme.typography.fontFamily;
    document.body.style.fontSize = `${theme.typography.fontSize}px`;
  }, [theme]);
  return h(ui.ThemeContext.Provider, { value: theme }, children);
}
