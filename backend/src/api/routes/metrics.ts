import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { writeMetrics, type TextChunk } from '../metrics.js';
import type { RouteSpec } from './route.js';

export function metricsRoutes(registry: Registry, logger?: Logger): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics (HTTP, scoring, worker pool, process, continuous jobs)',
      description:
        "With TRAFFICLENS_API_TOKEN set it needs the bearer token too (the jobs' gauges carry their series' " +
        'labels), unless TRAFFICLENS_METRICS_AUTH=false.',
      tag: 'operations',
      secured: true,
      responses: {
        200: { description: 'Prometheus text exposition format', contentType: registry.contentType },
      },
      handlers: [
        async (_req, res) => {
          // Rendered before the status is sent; a metric that fails is left out, never the scrape.
          const parts: TextChunk[] = [];
          const written = await writeMetrics(
            registry,
            (chunk) => parts.push(chunk),
            (metric, err) =>
              logger?.error(
                { stage: 'internal', metric, err: err instanceof Error ? err.message : String(err) },
                `/metrics: ${metric} failed to render and was left out of the scrape`,
              ),
          );
          res.type(registry.contentType);
          // Once the response is handed to the kernel its bytes may be written over by the next scrape;
          // a response that never finishes (the client left) keeps them, and the next scrape takes new ones.
          res.once('finish', written);
          for (const part of parts) res.write(part);
          res.end();
        },
      ],
    },
  ];
}
