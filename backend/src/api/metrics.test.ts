/**
 * /metrics never fails as a whole: a metric that cannot be rendered is left out and counted, and the
 * rest of the scrape is served; with nothing failing it is byte for byte what prom-client renders.
 */
import { Gauge } from 'prom-client';
import request from 'supertest';
import { metricsText } from './metrics.js';
import { SERIES_DROPPED } from '../jobs/metrics.js';
import { testApp } from './testApp.js';

describe('GET /metrics', () => {
  test('a metric that fails to render is left out and counted; the rest is served', async () => {
    const { app, registry } = testApp();
    new Gauge({
      name: 'broken_gauge',
      help: 'fails as a string too long for V8 would',
      registers: [registry],
      collect() {
        throw new RangeError('Invalid string length');
      },
    });
    const first = await request(app).get('/metrics');
    expect(first.status).toBe(200);
    expect(first.text).toContain('trafficlens_build_info{version="0.0.0-test"} 1');
    expect(first.text).not.toContain('broken_gauge');
    // The counter renders before the broken gauge: the second scrape shows the first failure.
    const second = await request(app).get('/metrics').expect(200);
    expect(second.text).toContain(`${SERIES_DROPPED}{metric="broken_gauge",reason="render_failed"} 1`);
  });

  test('with nothing failing it is exactly what registry.metrics() renders', async () => {
    const { registry } = testApp();
    expect(await metricsText(registry)).toBe(await registry.metrics());
  });
});
