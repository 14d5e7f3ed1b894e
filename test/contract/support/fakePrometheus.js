/**
 * A Prometheus HTTP API answering `/api/v1/query_range` with made-up series, enough for the scorer's
 * PromQL endpoint to be exercised end to end without a Prometheus install (issue 4's integration tests
 * run the real one). Every expression returns the same two interface series — a daily cycle with a little
 * deterministic noise — and the `fra` one carries a 6× spike over [spikeStart, spikeEnd]. An expression
 * containing `syntax_error` gets Prometheus' 400 bad_data answer.
 */
import { createServer } from 'node:http';

const DAY = 86_400_000;

export const SERIES = [
  { __name__: 'interface_bytes_per_second', site: 'ams', link: 'transit-1' },
  { __name__: 'interface_bytes_per_second', site: 'fra', link: 'transit-1' },
];

/** A stable pseudo-random number in [0, 1) for a timestamp and a seed. */
function noise(t, seed) {
  const x = Math.sin(t / 60_000 + seed * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

export function valueAt(t, index, { spikeStart, spikeEnd }) {
  const base = 5e8 * (1 + 0.3 * Math.sin((2 * Math.PI * t) / DAY) + 0.1 * index);
  const value = base * (1 + 0.02 * (noise(t, index) - 0.5));
  return index === 1 && t >= spikeStart && t <= spikeEnd ? value * 6 : value;
}

/** @param {{ spikeStart: number, spikeEnd: number }} spike epoch ms */
export async function startFakePrometheus(spike) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://prometheus.test');
    let body = '';
    for await (const chunk of req) body += chunk;
    const params = new URLSearchParams(req.method === 'POST' ? body : url.search);
    const send = (status, payload) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (url.pathname !== '/api/v1/query_range') {
      return send(404, { status: 'error', errorType: 'not_found', error: `no ${url.pathname} here` });
    }
    const query = params.get('query') ?? '';
    requests.push(query);
    if (query.includes('syntax_error')) {
      return send(400, {
        status: 'error',
        errorType: 'bad_data',
        error: '1:1: parse error: unexpected identifier "syntax_error"',
      });
    }
    const start = Number(params.get('start')) * 1000;
    const end = Number(params.get('end')) * 1000;
    const step = Number(params.get('step')) * 1000;
    const result = SERIES.map((metric, index) => {
      const values = [];
      for (let t = start; t <= end; t += step) values.push([t / 1000, String(valueAt(t, index, spike))]);
      return { metric, values };
    });
    send(200, { status: 'success', data: { resultType: 'matrix', result } });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
