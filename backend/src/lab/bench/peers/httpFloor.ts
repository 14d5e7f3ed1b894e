/**
 * The floor of the load section: a bare `node:http` server that answers every request with a fixed,
 * pre-serialized body (GET /healthz and /readyz: 200; anything else: the service's 503 + Retry-After
 * refusal), with no admission, routing, logging or metrics. Run under the same clients on the same
 * machine as the service, its latencies are what the machine, the kernel and Node's HTTP parser
 * cost by themselves; the service's refusals and probes are reported as ratios to them.
 *
 * `node dist/lab/bench/peers/httpFloor.js` listens on a loopback port (PORT, default a free one) and prints the URL the
 * way the service logs it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const HEALTH = JSON.stringify({ status: 'ok', version: 'floor', uptimeSeconds: 0, tfjsBackend: null });
const REFUSAL = JSON.stringify({
  error: {
    code: 'overloaded',
    message:
      'the service is at its limit (16 requests, 524288 body bytes in flight; TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT 16, TRAFFICLENS_MAX_BYTES_IN_FLIGHT 8388608); retry later',
    details: [],
    requestId: '00000000-0000-4000-8000-000000000000',
  },
});

const server = createServer((req, res) => {
  const probe = req.method === 'GET' && (req.url === '/healthz' || req.url === '/readyz');
  const body = probe ? HEALTH : REFUSAL;
  res.writeHead(probe ? 200 : 503, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...(probe ? {} : { 'Retry-After': '1' }),
  });
  res.end(body);
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: `listening on http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
