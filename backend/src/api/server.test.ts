import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { pino } from 'pino';
import { FakeExecutor } from './fakeExecutor.js';
import { Lifecycle } from './lifecycle.js';
import { createHttpServer, gracefulShutdown, listen, listenOn } from './server.js';
import { testApp } from './testApp.js';

const body = JSON.stringify({ series: [{ timestamps: [1, 2, 3], values: [1, 2, 3] }] });

/** A plain HTTP POST on a keep-alive agent, resolving to the status and body. */
function post(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/api/v1/score`,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('graceful shutdown', () => {
  test('marks not ready, finishes the in-flight request, then runs the steps in order', async () => {
    const executor = new FakeExecutor().hold();
    const lifecycle = new Lifecycle();
    const { app } = testApp({ executor, lifecycle });
    const server = createHttpServer(app);
    const url = await listenOn(server, { host: '127.0.0.1', port: 0 });
    const agent = new Agent({ keepAlive: true });
    const order: string[] = [];
    const shutdown = gracefulShutdown({
      server,
      lifecycle,
      logger: pino({ level: 'silent' }),
      timeoutMs: 60_000,
      steps: [
        { name: 'jobs', run: async () => void order.push('jobs') },
        { name: 'pool', run: async () => void order.push('pool') },
      ],
    });

    const inFlight = post(url, agent);
    await executor.called();
    const done = shutdown('SIGTERM').then(() => order.push('done'));
    expect(lifecycle.shuttingDown).toBe(true);
    // New connections are refused once the server stops accepting.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(order).toEqual([]);

    executor.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).series).toHaveLength(1);
    // The keep-alive connection of the finished request must not hold shutdown open until the timeout.
    await done;
    expect(order).toEqual(['jobs', 'pool', 'done']);
    agent.destroy();
  });

  test('closes connections still busy after the timeout, and a failing step does not stop the others', async () => {
    const executor = new FakeExecutor().hold();
    const lifecycle = new Lifecycle();
    const { app } = testApp({ executor, lifecycle });
    const server = createHttpServer(app);
    const url = await listenOn(server, { host: '127.0.0.1', port: 0 });
    const order: string[] = [];
    const shutdown = gracefulShutdown({
      server,
      lifecycle,
      logger: pino({ level: 'silent' }),
      timeoutMs: 50,
      steps: [
        {
          name: 'jobs',
          run: async () => {
            throw new Error('jobs would not stop');
          },
        },
        { name: 'pool', run: async () => void order.push('pool') },
      ],
    });
    const agent = new Agent({ keepAlive: false });
    const stuck = post(url, agent).catch((err: Error) => err);
    await executor.called();
    await shutdown('SIGTERM');
    expect(order).toEqual(['pool']);
    // The client sees its connection dropped rather than waiting forever.
    expect(await stuck).toMatchObject({ code: 'ECONNRESET' });
    executor.release();
  });

  test('a request sent on an idle keep-alive connection just after shutdown began is answered with Connection: close, not reset', async () => {
    const lifecycle = new Lifecycle();
    const { app } = testApp({ lifecycle });
    const server = createHttpServer(app);
    const url = await listenOn(server, { host: '127.0.0.1', port: 0 });
    const shutdown = gracefulShutdown({
      server,
      lifecycle,
      logger: pino({ level: 'silent' }),
      timeoutMs: 10_000,
      steps: [],
    });
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('error', () => {});
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const until = async (done: () => boolean) => {
      while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const get = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    socket.write(get);
    await until(() => /\r\n\r\n\{.*\}$/s.test(received));
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Connection: keep-alive\r\n/);

    received = '';
    const done = shutdown('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write(get);
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n/);
    await done;
  });

  test('is idempotent: a second call waits for the first', async () => {
    const lifecycle = new Lifecycle();
    const { app } = testApp({ lifecycle });
    const server = createHttpServer(app);
    await listenOn(server, { host: '127.0.0.1', port: 0 });
    let runs = 0;
    const shutdown = gracefulShutdown({
      server,
      lifecycle,
      logger: pino({ level: 'silent' }),
      timeoutMs: 1000,
      steps: [{ name: 'count', run: async () => void runs++ }],
    });
    await Promise.all([shutdown('SIGTERM'), shutdown('SIGINT')]);
    expect(runs).toBe(1);
  });
});

describe('listen', () => {
  test('reports the URL with the port actually bound', async () => {
    const { app } = testApp();
    const { server, url } = await listen(app, { host: '127.0.0.1', port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await new Promise((resolve) => server.close(resolve));
  });

  test('rejects when the port is taken', async () => {
    const { app } = testApp();
    const first = createHttpServer(app);
    const port = Number(new URL(await listenOn(first, { host: '127.0.0.1', port: 0 })).port);
    await expect(listen(app, { host: '127.0.0.1', port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    await new Promise((resolve) => first.close(resolve));
  });
});
