/**
 * The parts of a Grafana server a frontend datasource plugin talks to, for tests on machines without
 * Grafana:
 *
 * - the data proxy, `/api/datasources/proxy/uid/<uid>/<route path>/…`, applying the plugin.json `routes`
 *   the way Grafana's server does: the first route whose `path` prefixes the proxied path wins, its
 *   `url` and `headers` are filled from `{{ .JsonData.x }}` / `{{ .SecureJsonData.y }}`, the rest of the
 *   path is appended, and an unreachable upstream is a 502 Bad Gateway. The secure values stay on this
 *   side, as they stay on Grafana's server;
 * - static files: a plugin's `dist/` under `/public/plugins/<id>/`, @grafana/ui's icons under
 *   `/public/img/icons/`, and any other folders the caller mounts (the browser harness).
 */
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { createRequire } from 'node:module';
import { request } from './http.js';

const require = createRequire(import.meta.url);
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.css': 'text/css',
  '.map': 'application/json',
};

/** Go-template interpolation as Grafana applies it to routes (only the two forms routes use). */
export function interpolateRoute(template, { jsonData = {}, secureJsonData = {} }) {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_, kind, key) => {
    const value = (kind === 'JsonData' ? jsonData : secureJsonData)[key];
    return value === undefined || value === null ? '' : String(value);
  });
}

/**
 * Where Grafana's proxy would send a request, with which extra headers; undefined when no route matches.
 * @param {{ routes?: Array<{ path: string, url: string, headers?: Array<{ name: string, content: string }> }> }} pluginJson
 */
export function resolveRoute(pluginJson, datasource, proxyPath, search = '') {
  const route = (pluginJson.routes ?? []).find((r) => proxyPath.startsWith(r.path));
  if (!route) return undefined;
  const base = interpolateRoute(route.url, datasource);
  const rest = proxyPath.slice(route.path.length);
  const url = `${base.replace(/\/+$/, '')}/${rest.replace(/^\/+/, '')}${search}`;
  const headers = Object.fromEntries(
    (route.headers ?? []).map((h) => [h.name.toLowerCase(), interpolateRoute(h.content, datasource)]),
  );
  return { url, headers };
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

/**
 * @param {{ mounts?: Record<string, string>, plugins?: Record<string, string> }} options
 *   mounts: URL prefix → folder; plugins: plugin id → its dist folder
 */
export async function startFakeGrafana({ mounts = {}, plugins = {} } = {}) {
  const datasources = new Map();
  const iconDir = join(require.resolve('@grafana/ui/package.json'), '..', 'dist', 'public', 'img', 'icons');
  const folders = {
    ...mounts,
    '/public/img/icons/': iconDir,
    ...Object.fromEntries(Object.entries(plugins).map(([id, dir]) => [`/public/plugins/${id}/`, dir])),
  };
  const proxied = [];

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://grafana.test');
      const proxy = /^\/api\/datasources\/proxy\/uid\/([^/]+)\/(.*)$/.exec(url.pathname);
      if (proxy) {
        const ds = datasources.get(proxy[1]);
        if (!ds) return send(res, 404, { message: 'Data source not found' });
        const target = resolveRoute(ds.pluginJson, ds, proxy[2], url.search);
        if (!target)
          return send(res, 404, { message: `no route of ${ds.pluginJson.id} matches ${proxy[2]}` });
        proxied.push({ method: req.method, path: proxy[2], target: target.url });
        const body = ['GET', 'HEAD'].includes(req.method) ? undefined : await readBody(req);
        let upstream;
        try {
          upstream = await request(target.url, {
            method: req.method,
            headers: {
              ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}),
              accept: req.headers.accept ?? '*/*',
              ...target.headers,
            },
            body,
          });
        } catch {
          // Grafana's reverse proxy answers an unreachable upstream with an empty 502.
          res.writeHead(502, 'Bad Gateway');
          return res.end();
        }
        res.writeHead(upstream.status, upstream.statusText, {
          'content-type': upstream.headers['content-type'] ?? 'application/octet-stream',
        });
        return res.end(upstream.body);
      }
      for (const [prefix, dir] of Object.entries(folders)) {
        if (!url.pathname.startsWith(prefix)) continue;
        const file = normalize(join(dir, decodeURIComponent(url.pathname.slice(prefix.length))));
        if (!file.startsWith(normalize(dir))) return send(res, 403, { message: 'forbidden' });
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile()) continue;
        return send(res, 200, await readFile(file), TYPES[extname(file)] ?? 'application/octet-stream');
      }
      send(res, 404, { message: `not found: ${url.pathname}` });
    } catch (err) {
      send(res, 500, { message: String(err) });
    }
  });
  // Longer than any pause in the tests: a client reusing a socket the server is closing gets an error.
  server.keepAliveTimeout = 120_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    /** what the proxy forwarded, for assertions */
    proxied,
    /** registers a datasource instance; returns the settings the browser would get (no secure values) */
    addDatasource({ uid, pluginJson, name = uid, jsonData = {}, secureJsonData = {} }) {
      datasources.set(uid, { pluginJson, jsonData, secureJsonData });
      return {
        id: datasources.size,
        uid,
        type: pluginJson.id,
        name,
        url: `/api/datasources/proxy/uid/${uid}`,
        access: 'proxy',
        jsonData,
        secureJsonFields: Object.fromEntries(Object.keys(secureJsonData).map((k) => [k, true])),
        meta: { id: pluginJson.id, name: pluginJson.name, type: 'datasource', info: pluginJson.info },
        readOnly: false,
      };
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
