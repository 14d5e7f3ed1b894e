import type { Registry } from 'prom-client';
import type { RouteSpec } from './route.js';

export function metricsRoutes(registry: Registry): RouteSpec[] {
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
          const text = await registry.metrics();
          res.type(registry.contentType).send(text);
        },
      ],
    },
  ];
}
