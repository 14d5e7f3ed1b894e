/* global window, document, requestAnimationFrame -- runs in the page */
/**
 * A page that hosts built Grafana plugins the way Grafana does, without Grafana: `dist/module.js` is
 * loaded through the demo page's AMD `define` shim that hands it Grafana's shared modules
 * (plugin/demo: the same externals bundle and loader as the demo page and the panel test), requests go
 * through `getBackendSrv()` to the test server's emulation of Grafana's data proxy, and components render
 * inside Grafana's theme and global styles, and `getDataSourceSrv()` hands out the datasources a test
 * registers (instances of the built plugins' classes). Tests drive it with `window.harness` from Playwright.
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import * as data from '@grafana/data';
import * as ui from '@grafana/ui';
import * as runtime from '@grafana/runtime';
import { Observable } from 'rxjs';
import { loadPlugin } from '../../../plugin/demo/src/amd.js';
import { Panel } from '../../../plugin/demo/src/panel.js';
// The panel's defaults, as its options builder declares them (Grafana's option editors apply them).
import { DEFAULT_OPTIONS } from '../../../plugin/panel/src/types';
import { createBackendSrv, createTemplateSrv } from '../../contract/support/backendSrv.js';

// The shared modules come from the demo's externals bundle (plugin/demo/build.mjs maps these imports
// to it), the very instances the plugins receive.
const h = React.createElement;

runtime.setBackendSrv(createBackendSrv({ Observable }));
runtime.setTemplateSrv(createTemplateSrv());

/** A datasource whose plugin is not loaded here (e.g. Prometheus): what DataSourceApi gives any instance. */
class PluginlessDataSource extends data.DataSourceApi {
  query() {
    throw new Error(`${this.type} is not loaded in the harness`);
  }
  testDatasource() {
    return Promise.resolve({ status: 'success', message: '' });
  }
}

/** uid → { settings, instance }: the datasources registered with `harness.datasources()`. */
const datasources = new Map();
const findDatasource = (ref) => {
  const key = typeof ref === 'string' ? ref : ref?.uid;
  return datasources.get(key) ?? [...datasources.values()].find((d) => d.settings.name === key);
};

// Grafana's DataSourceSrv as plugins see it: get() resolves an instance by uid, ref or name, once per
// datasource, and rejects for an unknown one.
runtime.setDataSourceSrv({
  async get(ref) {
    const entry = findDatasource(ref);
    if (!entry) throw new Error(`Datasource ${typeof ref === 'string' ? ref : ref?.uid} was not found`);
    // Grafana's core plugins (meta.module `core:plugin/<type>`, e.g. Prometheus) are not served here.
    entry.instance ??= entry.settings.meta?.module?.startsWith('core:')
      ? Promise.resolve(new PluginlessDataSource(entry.settings))
      : loadPlugin(entry.settings.type).then(({ plugin }) => new plugin.DataSourceClass(entry.settings));
    return entry.instance;
  },
  // Grafana's getList filters too; DataSourcePicker asks for one plugin's datasources with `pluginId`.
  getList: (filters = {}) =>
    [...datasources.values()]
      .map((d) => d.settings)
      .filter((s) => !filters.pluginId || s.type === filters.pluginId),
  getInstanceSettings: (ref) => findDatasource(ref)?.settings,
  reload() {},
  registerRuntimeDataSource() {},
});

function themed(mode, child) {
  const theme = data.createTheme({ colors: { mode } });
  return h(
    ui.ThemeContext.Provider,
    { value: theme },
    h(ui.GlobalStyles, null),
    h(
      'div',
      {
        style: { background: theme.colors.background.primary, color: theme.colors.text.primary, padding: 16 },
      },
      child,
    ),
  );
}

let mounted = [];

/** Replaces whatever was shown with a new block with this id, and renders the element in it. */
function mount(id, mode, element, width) {
  mounted.forEach((root) => root.unmount());
  document.getElementById('root').replaceChildren();
  const host = document.createElement('div');
  host.id = id;
  host.style.width = `${width}px`;
  document.getElementById('root').appendChild(host);
  const root = createRoot(host);
  root.render(themed(mode, element));
  mounted = [root];
  return host;
}

/** Keeps the editor's value in state, as Grafana's pages do, and records every change. */
function Stateful({ initial, render, changes }) {
  const [value, setValue] = React.useState(initial);
  return render(value, (next) => {
    changes.push(next);
    setValue(next);
  });
}

function timeRange(from, to) {
  const range = { from: data.dateTime(from), to: data.dateTime(to) };
  return { ...range, raw: range };
}

/**
 * Episodes shaded across the plot, the way Grafana draws region annotations on a time series panel.
 * @param {Array<{ time: number, timeEnd: number, color: string }>} regions
 */
function regionsHook(builder, regions, theme) {
  builder.addHook('draw', (u) => {
    const { ctx } = u;
    ctx.save();
    for (const r of regions) {
      const x0 = u.valToPos(r.time, 'x', true);
      const x1 = Math.max(u.valToPos(r.timeEnd, 'x', true), x0 + 2);
      ctx.fillStyle = theme.visualization.getColorByName(r.color);
      ctx.globalAlpha = 0.15;
      ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
      ctx.globalAlpha = 0.9;
      ctx.fillRect(x0, u.bbox.top + u.bbox.height - 3, x1 - x0, 3);
    }
    ctx.restore();
  });
}

window.harness = {
  /** mounted editors' changes, by block id */
  changes: {},

  /**
   * Registers datasources with the DataSourceSrv, as instance settings (what Grafana's boot data lists).
   * A plugin served under /public/plugins/ gives its DataSource class; a core plugin of Grafana's
   * (`meta.module: 'core:plugin/prometheus'`) a bare DataSourceApi.
   */
  datasources(list) {
    for (const settings of list) datasources.set(settings.uid, { settings });
  },

  /**
   * Renders a panel plugin with the props Grafana's PanelChrome gives it, on frames given as
   * `{ name?, refId?, fields: [{ name, type, values, labels?, config? }] }`; resolves two animation
   * frames after React committed (the panel's canvases draw in effects).
   */
  async panel({
    id = 'panel',
    pluginId,
    frames,
    options,
    from,
    to,
    mode = 'dark',
    width = 1200,
    height = 600,
  }) {
    const { plugin } = await loadPlugin(pluginId);
    mount(
      id,
      mode,
      h(Panel, {
        plugin,
        frames: frames.map((f) => data.createDataFrame(f)),
        from,
        to,
        width: width - 32,
        height,
        options: { ...DEFAULT_OPTIONS, ...options },
      }),
      width,
    );
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  },

  /**
   * A panel plugin's options as Grafana's panel editor builds them (the host's PanelOptionsEditorBuilder
   * run through the plugin's supplier), and its custom editors (`editors`: item ids) rendered with the
   * options kept in state; returns every item's path.
   */
  async panelOptions({ id = 'panel-options', pluginId, editors, options, mode = 'dark', width = 600 }) {
    const { plugin } = await loadPlugin(pluginId);
    // Grafana registers its standard option editors (radio, boolean, text, number…) at boot; only the
    // plugin's custom editors are rendered here, so the standard kinds get placeholders.
    for (const kind of ['radio', 'boolean', 'text', 'number']) {
      if (!data.standardEditorsRegistry.getIfExists(kind)) {
        data.standardEditorsRegistry.register({ id: kind, name: kind, editor: () => null });
      }
    }
    const builder = new data.PanelOptionsEditorBuilder();
    plugin.getPanelOptionsSupplier()(builder, { data: [] });
    const items = builder.getItems();
    const changes = (this.changes[id] = []);
    const shown = editors.map((editorId) => items.find((i) => i.id === editorId));
    mount(
      id,
      mode,
      h(Stateful, {
        initial: { ...DEFAULT_OPTIONS, ...options },
        changes,
        render: (value, onChange) =>
          h(
            'div',
            null,
            shown.map((item) =>
              h(
                'div',
                { key: item.id, 'data-testid': `option-${item.id}`, style: { marginBottom: 8 } },
                h(item.editor, {
                  value: value[item.path],
                  onChange: (v) => onChange({ ...value, [item.path]: v }),
                  item,
                  context: { data: [], options: value },
                }),
              ),
            ),
          ),
      }),
      width,
    );
    return items.map((i) => i.path);
  },

  async configEditor({ id = 'config-editor', pluginId, settings, mode = 'dark', width = 800 }) {
    const { plugin } = await loadPlugin(pluginId);
    const changes = (this.changes[id] = []);
    mount(
      id,
      mode,
      h(Stateful, {
        initial: settings,
        changes,
        render: (options, onOptionsChange) => h(plugin.components.ConfigEditor, { options, onOptionsChange }),
      }),
      width,
    );
  },

  async queryEditor({ id = 'query-editor', pluginId, settings, query, mode = 'dark', width = 1100 }) {
    const { plugin } = await loadPlugin(pluginId);
    const datasource = new plugin.DataSourceClass(settings);
    const changes = (this.changes[id] = []);
    mount(
      id,
      mode,
      h(Stateful, {
        initial: query,
        changes,
        render: (q, onChange) =>
          h(plugin.components.QueryEditor, {
            datasource,
            query: q,
            onChange,
            onRunQuery: () => {},
            app: 'dashboard',
          }),
      }),
      width,
    );
  },

  /**
   * Runs a query through the datasource and draws the frames with @grafana/ui's TimeSeries (the uPlot
   * chart of Grafana's Time series panel) after the same field-override step Grafana's query runner
   * applies, with the episodes of the same query shaded like region annotations (or the regions of
   * `annotation`, a stored annotation target such as an incidents query). With `annotationText`, each
   * region's title and text are printed under the chart, as Grafana's tooltip shows them on hover.
   * @returns a summary of what was drawn
   */
  async timeSeries({
    id = 'time-series',
    pluginId,
    settings,
    query,
    annotation,
    annotationText = false,
    from,
    to,
    title,
    mode = 'dark',
    width = 1100,
    height = 420,
  }) {
    const { plugin } = await loadPlugin(pluginId);
    const datasource = new plugin.DataSourceClass(settings);
    const range = timeRange(from, to);
    const request = (targets) => ({
      requestId: id,
      interval: '1m',
      intervalMs: 60_000,
      range,
      scopedVars: {},
      targets,
      timezone: 'utc',
      app: 'dashboard',
      startTime: Date.now(),
    });
    const series = await datasource.query(request([query]));
    if (series.errors?.length) throw new Error(series.errors.map((e) => e.message).join('; '));
    const annotationQuery = datasource.annotations.prepareQuery({
      name: 'Anomalies',
      enable: true,
      iconColor: 'red',
      target: annotation ?? query,
    });
    const annotated = await datasource.query(request([annotationQuery]));
    if (annotated.errors?.length) throw new Error(annotated.errors.map((e) => e.message).join('; '));
    const episodes = annotated.data[0];
    const column = (name) => episodes.fields.find((f) => f.name === name).values;
    const regions = column('time').map((time, i) => ({
      time,
      timeEnd: column('timeEnd')[i],
      color: column('color')[i],
      title: column('title')[i],
      text: column('text')[i],
      tags: column('tags')[i],
    }));

    const theme = data.createTheme({ colors: { mode } });
    // The Time series panel's default colour scheme, for the fields the datasource gives no colour (in
    // Grafana the panel's defaults do this; outside it the standard options registry is empty).
    const withPanelDefaults = series.data.map((frame) => ({
      ...frame,
      fields: frame.fields.map((f) =>
        f.config.color ? f : { ...f, config: { ...f.config, color: { mode: 'palette-classic' } } },
      ),
    }));
    const frames = data.applyFieldOverrides({
      data: withPanelDefaults,
      fieldConfig: { defaults: {}, overrides: [] },
      replaceVariables: (s) => s,
      theme,
      timeZone: 'utc',
    });
    mount(
      id,
      mode,
      h(
        'div',
        null,
        title ? h('h3', { style: { margin: '0 0 8px' } }, title) : null,
        h(
          ui.TimeSeries,
          {
            frames,
            width: width - 32,
            height,
            timeRange: range,
            timeZone: 'utc',
            legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] },
          },
          (builder) => {
            regionsHook(builder, regions, theme);
            return null;
          },
        ),
        annotationText
          ? regions.map((r, i) =>
              h(
                'div',
                {
                  key: i,
                  'data-testid': 'annotation-text',
                  style: {
                    marginTop: 8,
                    padding: 8,
                    borderLeft: `4px solid ${theme.visualization.getColorByName(r.color)}`,
                    background: theme.colors.background.secondary,
                    whiteSpace: 'pre-wrap',
                    fontSize: 12,
                  },
                },
                h('b', null, r.title),
                '\n',
                r.text,
                '\n',
                h('span', { style: { color: theme.colors.text.secondary } }, r.tags.join(' · ')),
              ),
            )
          : null,
      ),
      width,
    );
    return {
      frames: series.data.length,
      fields: series.data[0]?.fields.map((f) => f.name) ?? [],
      points: series.data.reduce((n, f) => n + f.length, 0),
      anomalies: series.data.reduce(
        (n, f) => n + f.fields.find((x) => x.name === 'anomaly').values.filter(Boolean).length,
        0,
      ),
      episodes: regions.length,
      annotations: regions.map(({ time, timeEnd, title, tags }) => ({ time, timeEnd, title, tags })),
    };
  },
};
window.harnessReady = true;
