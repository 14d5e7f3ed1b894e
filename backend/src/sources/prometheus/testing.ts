/**
 * A fake Prometheus for tests: an Express app on a free loopback port that answers as its handler
 * says (like Prometheus, or like the proxies and broken servers in front of one) and records every
 * request it got.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';

export type Handler = (req: Request, res: Response) => void;

export interface Received {
  path: string;
  method: string;
  body: Record<string, string | string[]>;
  authorization?: string;
}

export class FakePrometheus {
  readonly received: Received[] = [];
  handler: Handler = (_req, res) => res.status(500).end();
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use((req, res) => {
      this.received.push({
        path: req.path,
        method: req.method,
        body: req.body as Record<string, string>,
        authorization: req.headers.authorization,
      });
      this.handler(req, res);
    });
    this.server = app.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A query_range answer: series whose value at t is f(t), on the requested grid. */
export function matrixHandler(
  series: { labels: Record<string, string>; f: (tSec: number) => string }[],
): Handler {
  return (req, res) => {
    const start = Number(req.body.start);
    const end = Number(req.body.end);
    const step = Number(req.body.step);
    const result = series.map(({ labels, f }) => {
      const values: [number, string][] = [];
      for (let t = start; t <= end + 1e-9; t += step) values.push([Number(t.toFixed(3)), f(t)]);
      return { metric: labels, values };
    });
    res.json({ status: 'success', data: { resultType: 'matrix', result } });
  };
}
