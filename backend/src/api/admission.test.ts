/**
 * Admission and slow clients against a real server on an ephemeral port, with raw sockets: what a
 * client that sends headers and no body, a never-ending chunked body, or half a request line sees.
 * No timings are asserted beyond coarse bounds that the old behaviour (waiting for the body, 60 s
 * header and 300 s request timeouts) misses by far.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { scoreSeries } from '../engine/index.js';
import { admissionOf, attachAdmission, type Admission } from './admission.js';
import { FakeExecutor } from './fakeExecutor.js';
import type { ScoreFn } from './scoring.js';
import { createHttpServer, DEFAULT_SERVER_LIMITS, listenOn, type ServerLimits } from './server.js';
import { testApp } from './testApp.js';

const scoreBody = JSON.stringify({ series: [{ timestamps: [1, 2, 3], values: [1, 2, 3] }] });

const postScore = (url: string, body = scoreBody) =>
  fetch(`${url}/api/v1/score`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

interface Started {
  server: Server;
  port: number;
  url: string;
  executor: FakeExecutor;
  registry: ReturnType<typeof testApp>['registry'];
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(env: Record<string, string> = {}, limits: Partial<ServerLimits> = {}): Promise<Started> {
  const executor = new FakeExecutor();
  const { app, registry } = testApp({ env, executor });
  const server = createHttpServer(app, { ...DEFAULT_SERVER_LIMITS, ...limits });
  servers.push(server);
  const url = await listenOn(server, { host: '127.0.0.1', port: 0 });
  return { server, port: Number(new URL(url).port), url, executor, registry };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after the response. */
  closed: boolean;
}

/** A raw connection: writes what it is given, and collects everything the server sends until it closes. */
function open(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
    wake();
  });
  socket.on('close', () => {
    ended = true;
    wake();
  });
  socket.on('error', () => {});

  /** The first response, once whole; rejects if none arrives within `withinMs`. */
  async function response(withinMs: number): Promise<RawResponse> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const parsed = parse(received);
      // Give a response that says it closes the connection a moment to be followed by the close.
      if (parsed && (ended || parsed.headers.connection !== 'close')) return { ...parsed, closed: ended };
      if (parsed && Date.now() >= deadline) return { ...parsed, closed: ended };
      if (ended) throw new Error(`connection closed without a response (got ${JSON.stringify(received)})`);
      if (Date.now() >= deadline) throw new Error(`no response within ${withinMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  return {
    socket,
    write: (text: string | Buffer) => socket.write(text),
    response,
    closed: () => ended,
    received: () => received,
    /** Forget what was received so far (the next response is the one of the next request). */
    reset: () => void (received = ''),
  };
}

function parse(text: string): Omit<RawResponse, 'closed'> | null {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = text.slice(end + 4);
  if (Buffer.byteLength(body) < length) return null;
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

const headersOf = (method: string, path: string, extra: string[] = []) =>
  [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json', ...extra, '', ''].join(
    '\r\n',
  );

describe('admission before the body is read', () => {
  test('a Content-Length over the limit gets 413 naming the limit before any body is sent, and the connection closes', async () => {
    const { port } = await start();
    const client = open(port);
    client.write(headersOf('POST', '/api/v1/score', ['Content-Length: 1000000000000']));
    const res = await client.response(2000);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body).error).toMatchObject({
      code: 'payload_too_large',
      message:
        'request body exceeds the limit of 20971520 bytes (TRAFFICLENS_MAX_BODY_BYTES): Content-Length is 1000000000000',
    });
    expect(res.closed).toBe(true);
  });

  test('with the requests budget taken, a request gets 503 + Retry-After on its headers alone while /healthz and /metrics answer', async () => {
    const { port, url, executor } = await start({ TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT: '1' });
    executor.hold();
    const held = postScore(url);
    await executor.called();

    const client = open(port);
    client.write(headersOf('POST', '/api/v1/score', [`Content-Length: ${scoreBody.length}`]));
    const res = await client.response(2000);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    // A small unread body is read and dropped: the client retries on this connection.
    expect(res.headers.connection).toBe('keep-alive');
    expect(JSON.parse(res.body).error.code).toBe('overloaded');
    expect(JSON.parse(res.body).error.message).toContain('TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT 1');

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('trafficlens_http_requests_shed_total{reason="overloaded"} 1');
    expect(metrics).toContain('trafficlens_http_requests_in_flight 1');

    executor.release();
    expect((await held).status).toBe(200);
    // The slot is given back once the held request is answered.
    const after = await postScore(url);
    expect(after.status).toBe(200);
  });

  test('with the bytes budget taken, a request whose declared body does not fit gets 503; the first request is admitted whatever its size', async () => {
    const { port, url, executor } = await start({ TRAFFICLENS_MAX_BYTES_IN_FLIGHT: '1024' });
    executor.hold();
    const big = JSON.stringify({
      series: [{ timestamps: [1, 2, 3], values: [1, 2, 3] }],
      pad: 'x'.repeat(2000),
    });
    // Over the byte budget on its own, but alone: admitted (then refused by validation, not by admission).
    const alone = await postScore(url, big);
    expect(alone.status).toBe(400);

    const held = postScore(url);
    await executor.called();
    const client = open(port);
    client.write(headersOf('POST', '/api/v1/score', ['Content-Length: 1000']));
    const res = await client.response(2000);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    executor.release();
    expect((await held).status).toBe(200);
  });

  test('a request read after the event loop was busy longer than the limit gets 503 before its body is used', async () => {
    // Scoring that holds the event loop for 150 ms, as a large inline request would.
    const slow: ScoreFn = (...args) => {
      const until = performance.now() + 150;
      while (performance.now() < until);
      return scoreSeries(...args);
    };
    const { app } = testApp({
      executor: new FakeExecutor(slow),
      env: { TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS: '40' },
    });
    const server = createHttpServer(app);
    servers.push(server);
    const port = Number(new URL(await listenOn(server, { host: '127.0.0.1', port: 0 })).port);
    const request = headersOf('POST', '/api/v1/score', [`Content-Length: ${scoreBody.length}`]) + scoreBody;
    const a = open(port);
    const b = open(port);
    // The server has accepted both connections (their reads are watched) before the test begins.
    a.write(headersOf('GET', '/healthz'));
    b.write(headersOf('GET', '/healthz'));
    await Promise.all([a.response(1000), b.response(1000)]);
    a.reset();
    b.reset();
    // Both requests arrive while the loop is blocked, so the server reads them in one pass: the
    // second is read after the first one's 150 ms of scoring.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        a.write(request);
        b.write(request);
        const until = performance.now() + 50;
        while (performance.now() < until);
        resolve();
      }),
    );
    const answers = await Promise.all([a.response(3000), b.response(3000)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 503]);
    const refused = answers.find((r) => r.status === 503);
    expect(refused?.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused?.body ?? '{}').error.message).toMatch(
      /^the service is busy \(this request waited \d+ ms for the event loop; TRAFFICLENS_MAX_EVENT_LOOP_DELAY_MS 40\); retry later$/,
    );
  });

  test('a never-ending chunked body gets 413 as soon as it passes the limit, and the connection closes', async () => {
    const { port } = await start({ TRAFFICLENS_MAX_BODY_BYTES: '1024' });
    const client = open(port);
    client.write(headersOf('POST', '/api/v1/score', ['Transfer-Encoding: chunked']));
    client.write('100\r\n' + '['.repeat(256) + '\r\n');
    const chunk = '200\r\n' + ' '.repeat(512) + '\r\n';
    const sending = setInterval(() => client.write(chunk), 10);
    try {
      const res = await client.response(3000);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error).toMatchObject({
        code: 'payload_too_large',
        message: 'request body exceeds the limit of 1024 bytes (TRAFFICLENS_MAX_BODY_BYTES)',
      });
      expect(res.headers.connection).toBe('close');
      expect(res.closed).toBe(true);
    } finally {
      clearInterval(sending);
    }
  });

  test('an early answer to a request whose body is unread closes the connection instead of draining it', async () => {
    const { port } = await start();
    const client = open(port);
    // A POST to a route that takes none: the 405 goes out before the (endless) body is read.
    client.write(headersOf('POST', '/healthz', ['Content-Length: 10000000']));
    client.write('x'.repeat(1000));
    const res = await client.response(2000);
    expect(res.status).toBe(405);
    expect(res.headers.connection).toBe('close');
    expect(res.closed).toBe(true);
  });

  test('Expect: 100-continue over the budget or the size limit is refused without 100 Continue, and the connection closes', async () => {
    const { port, url, executor } = await start({ TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT: '1' });
    executor.hold();
    const held = postScore(url);
    await executor.called();

    const busy = open(port);
    busy.write(
      headersOf('POST', '/api/v1/score', [`Content-Length: ${scoreBody.length}`, 'Expect: 100-continue']),
    );
    const refused = await busy.response(2000);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    // The client was told not to send its body: the server does not wait for it on this connection.
    expect(refused.headers.connection).toBe('close');
    expect(busy.received()).not.toContain('100 Continue');

    const huge = open(port);
    huge.write(headersOf('POST', '/api/v1/score', ['Content-Length: 1000000000000', 'Expect: 100-continue']));
    const tooLarge = await huge.response(2000);
    expect(tooLarge.status).toBe(413);
    expect(huge.received()).not.toContain('100 Continue');

    executor.release();
    expect((await held).status).toBe(200);
  });

  test('Expect: 100-continue on an admitted request gets 100 Continue, then its answer once the body is sent', async () => {
    const { port } = await start();
    const client = open(port);
    client.write(
      headersOf('POST', '/api/v1/score', [`Content-Length: ${scoreBody.length}`, 'Expect: 100-continue']),
    );
    const interim = await client.response(2000);
    expect(interim.status).toBe(100);
    client.reset();
    client.write(scoreBody);
    const res = await client.response(2000);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).series).toHaveLength(1);
  });

  test('refusals are logged as one warning a second at most, with their count and no stack trace', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const executor = new FakeExecutor().hold();
    const { app } = testApp({ executor, logger, env: { TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT: '1' } });
    const server = createHttpServer(app);
    servers.push(server);
    const url = await listenOn(server, { host: '127.0.0.1', port: 0 });
    const held = postScore(url);
    await executor.called();
    lines.splice(0);

    // Logging (and formatting the stacks of) every refusal made a retry storm stall the event loop.
    for (let i = 0; i < 3; i++) {
      const refused = await postScore(url);
      expect(refused.status).toBe(503);
      await refused.text();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe(40);
    expect(JSON.stringify(lines[0])).not.toMatch(/"stack"/);
    expect(lines[0]).toMatchObject({ code: 'overloaded', status: 503, refused: 1 });
    expect(lines[0].msg).toBe(
      `the service is at its limit (1 requests, ${scoreBody.length} body bytes in flight; TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT 1, TRAFFICLENS_MAX_BYTES_IN_FLIGHT 8388608); retry later`,
    );
    executor.release();
    expect((await held).status).toBe(200);
  });

  test('a request without a body keeps its keep-alive connection', async () => {
    const { port } = await start();
    const client = open(port);
    client.write(headersOf('GET', '/healthz'));
    const res = await client.response(300);
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('keep-alive');
    expect(res.closed).toBe(false);
  });
});

describe('refusals answered before the app', () => {
  test('a request over the budget is refused while its client is still sending a large body, and the connection closes', async () => {
    const { port, url, executor, registry } = await start({ TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT: '1' });
    executor.hold();
    const held = postScore(url);
    await executor.called();

    const client = open(port);
    // 5 MB declared (under the 20 MB limit), 1 KB sent: the answer cannot have waited for the rest.
    client.write(headersOf('POST', '/api/v1/score', ['Content-Length: 5000000', 'X-Request-Id: storm-1']));
    client.write('{"series":[' + ' '.repeat(1000));
    const res = await client.response(2000);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['x-request-id']).toBe('storm-1');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({
      error: {
        code: 'overloaded',
        message: expect.stringContaining('TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT 1') as unknown,
        details: [],
        requestId: 'storm-1',
      },
    });
    // The 4,999,000 bytes never sent are not waited for: the server closes instead of draining.
    expect(res.headers.connection).toBe('close');
    expect(res.closed).toBe(true);
    expect(await registry.getSingleMetricAsString('trafficlens_http_requests_shed_total')).toContain(
      'trafficlens_http_requests_shed_total{reason="overloaded"} 1',
    );
    executor.release();
    expect((await held).status).toBe(200);
  });

  // A refused upload's body is not read: Node would read (and drop) what the client had already sent
  // until the socket was destroyed, up to 32 × 64 KiB per readiness; the main thread now stops at the
  // read that held the headers (Node's HTTP parser reads 64 KiB at a time).
  test.each([
    ['over the budget (503)', { TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT: '1' }, 503],
    ['over the size limit (413)', { TRAFFICLENS_MAX_BODY_BYTES: '1000000' }, 413],
  ])(
    'a refused upload %s: the server stops reading its connection at the headers',
    async (_name, env, status) => {
      const { server, port, url, executor } = await start(env);
      executor.hold();
      const held = postScore(url);
      await executor.called();
      const accepted: Socket[] = [];
      server.on('connection', (socket: Socket) => accepted.push(socket));

      const client = open(port);
      const head = headersOf('POST', '/api/v1/score', ['Content-Length: 4000000']);
      // Headers and the whole 4 MB body in one write: the kernel has far more than 64 KiB of it ready.
      client.write(Buffer.concat([Buffer.from(head), Buffer.alloc(4_000_000, 0x20)]));
      const res = await client.response(2000);
      expect(res.status).toBe(status);
      expect(res.headers.connection).toBe('close');
      expect(res.closed).toBe(true);
      expect(accepted).toHaveLength(1);
      expect(accepted[0].bytesRead).toBeLessThanOrEqual(64 * 1024 + head.length);

      executor.release();
      expect((await held).status).toBe(200);
    },
  );

  test('/healthz answers while every admitted request is held by the executor, and each refusal is counted', async () => {
    const { url, executor, registry } = await start({ TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT: '2' });
    executor.hold();
    const held = [postScore(url), postScore(url)];
    await executor.called(2);
    const refused = await Promise.all([postScore(url), postScore(url), postScore(url)]);
    expect(refused.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(refused.map((r) => r.headers.get('retry-after'))).toEqual(['1', '1', '1']);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    const metrics = await registry.metrics();
    expect(metrics).toContain('trafficlens_http_requests_shed_total{reason="overloaded"} 3');
    expect(metrics).toContain('trafficlens_http_requests_in_flight 2');
    // Nothing refused reached the executor.
    expect(executor.requests).toHaveLength(2);
    executor.release();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    expect(await registry.getSingleMetricAsString('trafficlens_http_requests_in_flight')).toContain(
      'trafficlens_http_requests_in_flight 0',
    );
  });

  test('the HTTP server runs the admission before the app: a refused request never reaches Express', async () => {
    const executor = new FakeExecutor().hold();
    const { app } = testApp({ executor, env: { TRAFFICLENS_MAX_REQUESTS_IN_FLIGHT: '1' } });
    const seen: string[] = [];
    // The app as the server sees it, recording what reaches it; the admission stays attached to it.
    const recording = Object.assign((req: IncomingMessage, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url}`);
      return app(req, res);
    }, app);
    attachAdmission(recording, { front: admissionOf(app)! } as Admission);
    const server = createHttpServer(recording as unknown as typeof app);
    servers.push(server);
    const url = await listenOn(server, { host: '127.0.0.1', port: 0 });
    const held = postScore(url);
    await executor.called();
    expect((await postScore(url)).status).toBe(503);
    const huge = open(Number(new URL(url).port));
    huge.write(headersOf('POST', '/api/v1/score', ['Content-Length: 999999999999']));
    expect((await huge.response(2000)).status).toBe(413);
    expect(seen).toEqual(['POST /api/v1/score']);
    executor.release();
    expect((await held).status).toBe(200);
  });
});

describe('slow clients', () => {
  test('headers not finished within the headers timeout get 408 and the connection closes', async () => {
    const { port } = await start({}, { headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
    const client = open(port);
    client.write('POST /api/v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const res = await client.response(4000);
    expect(res.status).toBe(408);
    expect(res.closed).toBe(true);
  });

  test('a body not finished within the request timeout gets 408 and the connection closes', async () => {
    const { port } = await start({}, { headersTimeoutMs: 1000, requestTimeoutMs: 1500 });
    const client = open(port);
    client.write(headersOf('POST', '/api/v1/score', ['Content-Length: 100000']));
    const trickle = setInterval(() => client.write(' '), 100);
    try {
      const res = await client.response(5000);
      expect(res.status).toBe(408);
      expect(res.closed).toBe(true);
    } finally {
      clearInterval(trickle);
    }
  });

  test('connections beyond the limit are closed as soon as they are accepted', async () => {
    const { port, server } = await start({}, { maxConnections: 2 });
    const first = open(port);
    const second = open(port);
    first.write(headersOf('GET', '/healthz'));
    second.write(headersOf('GET', '/healthz'));
    expect((await first.response(1000)).status).toBe(200);
    expect((await second.response(1000)).status).toBe(200);
    const third = open(port);
    third.write(headersOf('GET', '/healthz'));
    await expect(third.response(2000)).rejects.toThrow(/connection closed without a response/);
    expect(server.maxConnections).toBe(2);
  });

  test('the service configures the limits from its configuration', async () => {
    const { server } = await start({}, { headersTimeoutMs: 3000, requestTimeoutMs: 7000, maxConnections: 9 });
    expect(server.headersTimeout).toBe(3000);
    expect(server.requestTimeout).toBe(7000);
    expect(server.maxConnections).toBe(9);
  });
});
