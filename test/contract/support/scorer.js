/**
 * A real scorer for cross-part tests: `node backend/dist/main.js` on a free loopback port (PORT=0, the
 * port is read from its "listening on" log line), with an API token so every test goes through
 * bearer auth, and the embedded simulator jobs. `start()` resolves once the jobs have backfilled
 * their history (health "ok"), so their series and episodes are there to be read.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request } from './http.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = `${REPO}backend/dist/main.js`;

/**
 * @param {{ token?: string, env?: Record<string, string>, timeoutMs?: number, jobs?: boolean }} [options]
 *   jobs: wait for the jobs' backfill (default true; false for a scorer without jobs)
 * @returns {Promise<{ url: string, token: string, log: string[], stop: () => Promise<number | null> }>}
 */
export async function startScorer({
  token = randomBytes(24).toString('hex'),
  env = {},
  timeoutMs = 60_000,
  jobs = true,
} = {}) {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: build the backend first (npm run build -w backend)`);
  }
  const child = spawn(process.execPath, [MAIN], {
    cwd: REPO,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      TRAFFICLENS_API_TOKEN: token,
      TRAFFICLENS_WORKER_THREADS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`scorer did not start in ${timeoutMs} ms:\n${log.join('\n')}`)),
      timeoutMs,
    );
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        log.push(line);
        const match = /"msg":"listening on (http:\/\/[^"]+)"/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      }
    });
    child.stderr.on('data', (chunk) => log.push(String(chunk)));
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`scorer exited with ${code} before listening:\n${log.join('\n')}`));
    });
  });

  try {
    if (jobs) await waitForJobs(url, token, Date.now() + timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, token, log, stop };
}

/** Resolves once every job has finished its first run (the backfill) successfully. */
async function waitForJobs(url, token, deadline) {
  let last = '';
  while (Date.now() < deadline) {
    const res = await request(`${url}/api/v1/jobs`, { headers: { Authorization: `Bearer ${token}` } });
    last = res.body.toString();
    const body = res.status === 200 ? JSON.parse(last) : undefined;
    if (body && body.jobs.length > 0 && body.jobs.every((j) => j.health === 'ok')) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`scorer jobs not ready in time; last answer: ${last}`);
}
