/* global window, document, location, ResizeObserver, requestAnimationFrame -- runs in the page */
/**
 * The demo page the scorer serves at `/`: the built panel plugin (loaded like Grafana loads it, see
 * amd.js) on the live scores of the scorer's continuous jobs, in overlay and NOC wall mode, refreshed
 * every few seconds, without Grafana. Frames come from the datasource's own frame code (frames.js).
 *
 * URL parameters: mode=overlay|noc, theme=dark|light, job=<name>, refresh=<seconds>, kiosk (panel
 * only, for a wall screen). When the scorer requires a token (TRAFFICLENS_API_TOKEN), the page asks for
 * it and keeps it in this tab's sessionStorage only.
 *
 * window.trafficlensDemo.show(spec) stops the live view and renders given series full-page: the browser
 * tests and the render benchmark draw exact inputs through it.
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import * as ui from '@grafana/ui';
// The panel's own defaults (what its options builder declares; Grafana's option editors that would
// apply them are not available outside Grafana).
import { DEFAULT_OPTIONS } from '../../panel/src/types';
import { loadPlugin } from './amd';
import { interesting, seriesName, spanOf, toFrames } from './frames';
import { Panel, Themed } from './panel';

const PANEL_ID = 'trafficlens-anomaly-panel';
const OVERLAY_SERIES = 4;
const TOKEN_KEY = 'trafficlens.apiToken';
const THEME_KEY = 'trafficlens.theme';
const HEADER_HEIGHT = 48;
const h = React.createElement;

const params = new URLSearchParams(location.search);
const refreshSeconds = Math.max(1, Number(params.get('refresh')) || 5);
const kiosk = params.has('kiosk');

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, token) {
  let res;
  try {
    res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch {
    throw new HttpError(0, 'the scorer is not reachable (is `npm start` still running?)');
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (await res.json()).message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new HttpError(res.status, message);
  }
  return res.json();
}

/** The size of the element, followed as the window resizes. */
function useSize(ref) {
  const [size, setSize] = React.useState({ width: 0, height: 0 });
  React.useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(() =>
      setSize({ width: Math.floor(el.clientWidth), height: Math.floor(el.clientHeight) }),
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

function TokenForm({ onToken, rejected }) {
  const [value, setValue] = React.useState('');
  return h(
    'form',
    {
      'data-testid': 'demo-token-form',
      style: { maxWidth: 640, margin: '48px auto', display: 'flex', flexDirection: 'column', gap: 12 },
      onSubmit: (e) => {
        e.preventDefault();
        onToken(value.trim());
      },
    },
    h(
      ui.Alert,
      {
        title: rejected ? 'The token was refused (401)' : 'This scorer requires an API token',
        severity: 'warning',
      },
      'The scorer was started with TRAFFICLENS_API_TOKEN, so /api/ answers 401 without it. Paste the token ',
      'to view the demo: it is kept in this browser tab only (sessionStorage) and sent as a Bearer header.',
    ),
    h(ui.Input, {
      type: 'password',
      placeholder: 'API token',
      value,
      'aria-label': 'API token',
      onChange: (e) => setValue(e.currentTarget.value),
    }),
    h(ui.Button, { type: 'submit', disabled: value.trim() === '' }, 'Show the demo'),
  );
}

function Header({
  jobs,
  job,
  setJob,
  mode,
  setMode,
  theme,
  setTheme,
  series,
  selected,
  setSelected,
  status,
}) {
  const styles = {
    display: 'flex',
    alignItems: 'center',
    gap: 16,
    height: HEADER_HEIGHT,
    padding: '0 16px',
    boxSizing: 'border-box',
    whiteSpace: 'nowrap',
  };
  return h(
    'header',
    { style: styles },
    h('strong', { style: { fontSize: 18 } }, 'TrafficLens'),
    h('span', { style: { opacity: 0.7 } }, 'anomaly panel on live scores, without Grafana'),
    jobs.length > 1
      ? h(ui.RadioButtonGroup, {
          size: 'sm',
          value: job,
          onChange: setJob,
          options: jobs.map((j) => ({ value: j.name, label: j.name })),
        })
      : null,
    h(ui.RadioButtonGroup, {
      size: 'sm',
      value: mode,
      onChange: setMode,
      options: [
        { value: 'overlay', label: 'Overlay' },
        { value: 'noc', label: 'NOC wall' },
      ],
    }),
    mode === 'overlay' && series.length > 0
      ? h(
          'div',
          { style: { minWidth: 260, maxWidth: 640, flex: '1 1 auto' } },
          h(ui.MultiSelect, {
            'aria-label': 'Series',
            value: selected,
            options: series.map((s, i) => ({ value: i, label: seriesName(s.labels) })),
            onChange: (items) => setSelected(items.map((x) => x.value)),
            placeholder: 'Series to overlay',
            maxVisibleValues: 2,
            noMultiValueWrap: true,
          }),
        )
      : h('div', { style: { flex: '1 1 auto' } }),
    h(ui.RadioButtonGroup, {
      size: 'sm',
      value: theme,
      onChange: setTheme,
      options: [
        { value: 'dark', label: 'Dark' },
        { value: 'light', label: 'Light' },
      ],
    }),
    h('span', { 'data-testid': 'demo-status', style: { opacity: 0.7, minWidth: 180 } }, status),
  );
}

function Message({ title, children, severity = 'error' }) {
  return h(
    'div',
    { style: { maxWidth: 720, margin: '48px auto' } },
    h(ui.Alert, { title, severity }, children),
  );
}

function App() {
  const [theme, setTheme] = React.useState(params.get('theme') ?? localStorage.getItem(THEME_KEY) ?? 'dark');
  const [mode, setMode] = React.useState(params.get('mode') === 'noc' ? 'noc' : 'overlay');
  const [token, setToken] = React.useState(sessionStorage.getItem(TOKEN_KEY) ?? '');
  const [plugin, setPlugin] = React.useState(null);
  const [jobs, setJobs] = React.useState([]);
  const [job, setJob] = React.useState(params.get('job'));
  const [series, setSeries] = React.useState(null);
  const [selected, setSelected] = React.useState(null);
  const [error, setError] = React.useState(null);
  const [updated, setUpdated] = React.useState(null);
  const [fixed, setFixed] = React.useState(null);
  const body = React.useRef(null);
  const size = useSize(body);

  React.useEffect(() => {
    window.trafficlensDemo.show = (spec) =>
      new Promise((resolve) => {
        setFixed(spec);
        window.trafficlensDemo.afterRender = resolve;
      });
    loadPlugin(PANEL_ID).then(
      (m) => setPlugin(m.plugin),
      (err) => setError({ status: 'plugin', message: String(err.message ?? err) }),
    );
  }, []);

  React.useEffect(() => {
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);

  // Poll the jobs and the chosen job's series; a 401 stops polling until a token is given.
  React.useEffect(() => {
    if (fixed) return undefined;
    let stopped = false;
    let timer;
    const tick = async () => {
      try {
        const list = (await api('/api/v1/jobs', token)).jobs;
        if (stopped) return;
        setJobs(list);
        const name = list.some((j) => j.name === job) ? job : list[0]?.name;
        if (!name) {
          setError({ status: 'no-jobs' });
        } else {
          if (name !== job) setJob(name);
          const res = await api(`/api/v1/jobs/${encodeURIComponent(name)}/series`, token);
          if (stopped) return;
          setSeries(res.series);
          setError(null);
          setUpdated(new Date());
        }
      } catch (err) {
        if (stopped) return;
        setError({ status: err.status ?? 0, message: err.message });
        if (err.status === 401) return;
      }
      timer = window.setTimeout(tick, refreshSeconds * 1000);
    };
    tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [token, job, fixed]);

  const options = DEFAULT_OPTIONS;
  const chosen = selected ?? (series ? interesting(series, OVERLAY_SERIES) : []);
  const chosenKey = chosen.join(',');
  const shown = React.useMemo(() => {
    if (!series) return null;
    const picked = chosenKey === '' ? [] : chosenKey.split(',').map(Number);
    const list = mode === 'overlay' ? picked.filter((i) => i < series.length).map((i) => series[i]) : series;
    return { frames: toFrames(list), ...spanOf(series) };
  }, [series, mode, chosenKey]);

  React.useEffect(() => {
    if (!fixed || !window.trafficlensDemo.afterRender) return;
    // two frames: React commits, then the panel's canvases draw in effects
    requestAnimationFrame(() => requestAnimationFrame(() => window.trafficlensDemo.afterRender()));
  }, [fixed]);

  if (fixed && plugin) {
    return h(
      Themed,
      { mode: fixed.theme },
      h(
        'div',
        { style: { width: fixed.width, height: fixed.height } },
        h(Panel, {
          plugin,
          frames: toFrames(fixed.series),
          from: fixed.from,
          to: fixed.to,
          width: fixed.width,
          height: fixed.height,
          options: { ...options, ...fixed.options },
        }),
      ),
    );
  }

  let content = null;
  if (error?.status === 401) {
    content = h(TokenForm, {
      rejected: token !== '',
      onToken: (t) => {
        sessionStorage.setItem(TOKEN_KEY, t);
        setToken(t);
      },
    });
  } else if (error?.status === 'plugin') {
    content = h(
      Message,
      { title: 'The panel plugin did not load' },
      `${error.message}. Build it with \`npm run build -w plugin/panel\` (npm install does it too).`,
    );
  } else if (error?.status === 'no-jobs') {
    content = h(
      Message,
      { title: 'No continuous jobs', severity: 'info' },
      'This scorer runs no scoring jobs, so there is nothing to show. Start it with the embedded simulator ',
      '(TRAFFICLENS_SIMULATOR=true) or a jobs file (TRAFFICLENS_CONFIG).',
    );
  } else if (error && !series) {
    content = h(Message, { title: 'Cannot read the scores' }, error.message);
  } else if (!plugin || !shown || size.width === 0) {
    // Not LoadingPlaceholder: its spinner icon is served by Grafana itself, not by @grafana/ui.
    content = h('p', { style: { margin: 48, opacity: 0.7 } }, 'Loading scores…');
  } else {
    content = h(Panel, {
      plugin,
      ...shown,
      width: size.width,
      height: size.height,
      options: { ...options, mode },
    });
  }

  const status = error
    ? `error: ${error.message ?? error.status}`
    : updated
      ? `live · ${series.length} series · ${updated.toISOString().slice(11, 19)} UTC`
      : 'loading…';
  return h(
    Themed,
    { mode: theme },
    kiosk
      ? null
      : h(Header, {
          jobs,
          job,
          setJob: (j) => {
            setJob(j);
            setSelected(null);
          },
          mode,
          setMode,
          theme,
          setTheme,
          series: series ?? [],
          selected: chosen,
          setSelected,
          status,
        }),
    h(
      'main',
      {
        ref: body,
        'data-testid': 'demo-panel',
        style: { height: kiosk ? '100vh' : `calc(100vh - ${HEADER_HEIGHT}px)`, overflow: 'hidden' },
      },
      content,
    ),
  );
}

window.trafficlensDemo = { refreshSeconds };
createRoot(document.getElementById('root')).render(h(App));
