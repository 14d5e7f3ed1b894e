/**
 * HTTP for the test harness without connection reuse. Node's fetch keeps sockets alive, and a socket the
 * server closes after its keep-alive timeout (5 s in Node) can be picked for the next request just as it
 * closes: "fetch failed" at random. A new connection per request costs nothing here.
 */
import { request as httpRequest } from 'node:http';

/**
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: Buffer | string }} [options]
 * @returns {Promise<{ status: number, statusText: string, headers: import('node:http').IncomingHttpHeaders, body: Buffer }>}
 */
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** GET a JSON document; fails unless the answer is 200. */
export async function getJson(url, headers = {}) {
  const res = await request(url, { headers });
  if (res.status !== 200)
    throw new Error(`GET ${url}: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
  return JSON.parse(res.body.toString());
}
