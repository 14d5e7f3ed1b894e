/**
 * What the service gives away: secrets in the request log, filesystem paths in answers, metrics
 * without the token, and answers to pages that reach it through DNS rebinding.
 */
import { basename } from 'node:path';
import { tmpdir } from 'node:os';
import request from 'supertest';
import { loadConfig } from '../config/index.js';
import { fullTestApp } from './fullTestApp.js';
import { allowedHosts, hostName } from './hosts.js';
import { createLogger, redactUrl } from './logging.js';
import { ErrorResponse } from '../contract/api.js';
import { testApp } from './testApp.js';

const TOKEN = 'correct-horse-battery-staple';
const bearer = `Bearer ${TOKEN}`;

describe('the request log', () => {
  test.each([
    ['/api/v1/jobs?token=s3cr3t', '/api/v1/jobs?token=[redacted]'],
    ['/api/v1/jobs?access_token=s3cr3t&from=1', '/api/v1/jobs?access_token=[redacted]&from=1'],
    [
      '/api/v1/jobs/edge/series?match=site%3D%22ams%22&api_key=s3cr3t',
      '/api/v1/jobs/edge/series?match=site%3D%22ams%22&api_key=[redacted]',
    ],
    ['/?s3cr3t', '/?[redacted]'],
    ['/?mode=noc&kiosk', '/?mode=noc&kiosk'],
    ['/api/v1/detectors', '/api/v1/detectors'],
    ['/api/v1/detectors?', '/api/v1/detectors?'],
  ])('logs %s as %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  test('a token sent in the query string never reaches the log', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const { app } = testApp({ env: { TRAFFICLENS_API_TOKEN: TOKEN }, logger });
    await request(app).get(`/api/v1/detectors?token=${TOKEN}`).expect(401);
    await request(app)
      .get(`/api/v1/detectors?access_token=${TOKEN}`)
      .set('Authorization', bearer)
      .expect(200);
    const requests = lines.map((l) => JSON.parse(l) as { req?: { url: string } }).filter((l) => l.req);
    // The request line, and for the 401 also the error line, each with the request.
    expect(new Set(requests.map((l) => l.req!.url))).toEqual(
      new Set(['/api/v1/detectors?token=[redacted]', '/api/v1/detectors?access_token=[redacted]']),
    );
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('GET /api/v1/models', () => {
  test('names the models folder, not its absolute path', async () => {
    const full = await fullTestApp();
    try {
      const res = await request(full.app).get('/api/v1/models').expect(200);
      expect(res.body.directory).toBe(basename(full.modelsDir));
      expect(JSON.stringify(res.body)).not.toContain(tmpdir());
    } finally {
      await full.close();
    }
  });
});

describe('/metrics and the token', () => {
  test('with a token set, /metrics needs it by default', async () => {
    const { app } = testApp({ env: { TRAFFICLENS_API_TOKEN: TOKEN } });
    const res = await request(app).get('/metrics').expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    await request(app).get('/metrics').set('Authorization', bearer).expect(200);
    await request(app).get('/METRICS').expect(401);
  });

  test('TRAFFICLENS_METRICS_AUTH=false leaves it open for scrapers without credentials', async () => {
    const { app } = testApp({ env: { TRAFFICLENS_API_TOKEN: TOKEN, TRAFFICLENS_METRICS_AUTH: 'false' } });
    await request(app).get('/metrics').expect(200);
    await request(app).get('/api/v1/detectors').expect(401);
  });

  test('without a token it is open whatever the setting', async () => {
    await request(testApp({ env: { TRAFFICLENS_METRICS_AUTH: 'true' } }).app)
      .get('/metrics')
      .expect(200);
  });
});

describe('the Host header (DNS rebinding)', () => {
  test.each(['localhost', 'localhost:8686', 'LocalHost:1', '127.0.0.1:8686', '[::1]:8686', 'localhost.'])(
    'bound to loopback, Host %s is answered',
    async (host) => {
      await request(testApp().app).get('/api/v1/detectors').set('Host', host).expect(200);
    },
  );

  test.each(['/api/v1/detectors', '/api/v1/jobs', '/metrics', '/healthz', '/openapi.json', '/'])(
    'bound to loopback, a foreign Host on %s is a 421 saying how to allow it',
    async (path) => {
      const res = await request(testApp().app).get(path).set('Host', 'rebind.evil.example:8686').expect(421);
      const { error } = ErrorResponse.parse(res.body);
      expect(error.code).toBe('host_not_allowed');
      expect(error.message).toContain('"rebind.evil.example:8686"');
      expect(error.message).toContain('TRAFFICLENS_ALLOWED_HOSTS');
    },
  );

  test('TRAFFICLENS_ALLOWED_HOSTS adds names, any port', async () => {
    const { app } = testApp({ env: { TRAFFICLENS_ALLOWED_HOSTS: 'grafana.internal, 10.0.0.5' } });
    await request(app).get('/healthz').set('Host', 'grafana.internal:8686').expect(200);
    await request(app).get('/healthz').set('Host', '10.0.0.5').expect(200);
    await request(app).get('/healthz').set('Host', 'other.internal').expect(421);
  });

  test('bound beyond loopback there is no check unless names are given; * turns it off', async () => {
    const open = testApp({ env: { HOST: '0.0.0.0' } }).app;
    await request(open).get('/healthz').set('Host', 'anything.example').expect(200);
    const listed = testApp({ env: { HOST: '0.0.0.0', TRAFFICLENS_ALLOWED_HOSTS: 'scorer.example' } }).app;
    await request(listed).get('/healthz').set('Host', 'scorer.example').expect(200);
    await request(listed).get('/healthz').set('Host', 'anything.example').expect(421);
    const any = testApp({ env: { TRAFFICLENS_ALLOWED_HOSTS: '*' } }).app;
    await request(any).get('/healthz').set('Host', 'anything.example').expect(200);
  });

  test('host names and bind addresses', () => {
    expect(hostName('[::1]:8686')).toBe('[::1]');
    expect(hostName('Example.COM.:80')).toBe('example.com');
    expect(allowedHosts('::1', [])).toEqual(new Set(['localhost', '127.0.0.1', '[::1]']));
    expect(allowedHosts('127.0.0.2', ['a'])).toEqual(
      new Set(['localhost', '127.0.0.1', '[::1]', '127.0.0.2', 'a']),
    );
    expect(allowedHosts('0.0.0.0', [])).toBeNull();
  });

  test('a bad TRAFFICLENS_ALLOWED_HOSTS stops the start naming the variable', () => {
    expect(() => loadConfig({ env: { TRAFFICLENS_ALLOWED_HOSTS: 'a.example:8080' } })).toThrow(
      /TRAFFICLENS_ALLOWED_HOSTS \(--allowed-hosts\): expected host names without a port/,
    );
  });
});
