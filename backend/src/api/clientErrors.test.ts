/**
 * Client mistakes below the routes (how the body is encoded, how the URL is escaped) are answered as
 * client errors in the one error shape, never as 500s.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { fullTestApp } from './fullTestApp.js';
import { ErrorResponse } from '../contract/api.js';

const T0 = Date.UTC(2025, 0, 13, 12);
const scoreBody = JSON.stringify({
  series: [{ timestamps: Array.from({ length: 20 }, (_, i) => T0 + i * 60_000), values: Array(20).fill(1) }],
});

let full: Awaited<ReturnType<typeof fullTestApp>>;
beforeAll(async () => {
  full = await fullTestApp({ env: { TRAFFICLENS_MAX_BODY_BYTES: '65536' } });
});
afterAll(() => full.close());

/** Sends the bytes as they are (supertest would JSON-encode a Buffer sent as application/json). */
const post = (path: string, encoding: string, bytes: Buffer) =>
  request(full.app)
    .post(path)
    .set('content-type', 'application/json')
    .set('content-encoding', encoding)
    // superagent types the serializer as returning a string; it writes a Buffer just as well.
    .serialize(((x: Buffer) => x) as unknown as (body: unknown) => string)
    .send(bytes);

describe('Content-Encoding', () => {
  test.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('a body compressed with %s is accepted', async (encoding, compress) => {
    const res = await post('/api/v1/score', encoding, compress(Buffer.from(scoreBody))).expect(200);
    expect(res.body.series).toHaveLength(1);
  });

  test.each(
    ['/api/v1/score', '/api/v1/query', '/api/v1/models'].flatMap((path) =>
      ['gzip', 'br', 'deflate'].map((encoding) => [path, encoding] as const),
    ),
  )('%s with Content-Encoding: %s over a plain body is a 400 saying so', async (path, encoding) => {
    const res = await post(path, encoding, Buffer.from(scoreBody)).expect(400);
    const { error } = ErrorResponse.parse(res.body);
    expect(error.code).toBe('malformed_body');
    expect(error.message).toContain('does not decompress as its Content-Encoding says');
  });

  test('a truncated gzip body is a 400', async () => {
    const gz = gzipSync(Buffer.from(scoreBody));
    const res = await post('/api/v1/score', 'gzip', gz.subarray(0, gz.length - 12)).expect(400);
    expect(res.body.error.code).toBe('malformed_body');
  });

  test('an encoding the service does not know is a 415 naming it', async () => {
    const res = await post('/api/v1/score', 'zstd', Buffer.from(scoreBody)).expect(415);
    expect(res.body.error.message).toContain('zstd');
  });

  test('the body limit applies to the decompressed size (a gzip bomb is a 413)', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(65_536);
    const res = await post('/api/v1/score', 'gzip', bomb).expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });
});

describe('malformed percent-encoding in the path', () => {
  test.each([
    '/api/v1/jobs/%ZZ',
    '/api/v1/jobs/%ZZ/series',
    '/api/v1/jobs/a%E0%A4%A/labels',
    '/api/v1/models/%ZZ',
  ])('GET %s is a 400', async (path) => {
    const res = await request(full.app).get(path).expect(400);
    const { error } = ErrorResponse.parse(res.body);
    expect(error.code).toBe('malformed_uri');
  });

  test('DELETE /api/v1/models/%ZZ is a 400', async () => {
    const res = await request(full.app).delete('/api/v1/models/%ZZ').expect(400);
    expect(res.body.error.code).toBe('malformed_uri');
  });
});
