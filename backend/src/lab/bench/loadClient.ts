/**
 * The load generator of bench/load.ts, in its own process: `node dist/lab/bench/loadClient.js <url>
 * <series> <clients> <durationMs>`. Each client sends POST /api/v1/score with `series` one-day,
 * 1-minute series back to back on one kept-alive connection, retrying at once after a refusal, until
 * the duration is over; then every answer's status and latency is printed as one JSON object.
 */
import { Agent } from 'node:http';
import { dashboardRequest } from './api.js';
import { send, type ClientReport } from './load.js';

async function main(): Promise<void> {
  const [base, series, clients, durationMs] = process.argv.slice(2);
  const url = new URL('/api/v1/score', base);
  const payload = Buffer.from(JSON.stringify(dashboardRequest(Number(series), 1440)));
  const report: ClientReport = { bodyBytes: payload.length, outcomes: {}, scored: [], shed: [] };
  const until = performance.now() + Number(durationMs);
  const client = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (performance.now() < until) {
        const { status, ms } = await send(url, agent, 'POST', payload);
        report.outcomes[status] = (report.outcomes[status] ?? 0) + 1;
        if (status === '200') report.scored.push(ms);
        else if (status === '503' || status === '413') report.shed.push(ms);
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: Number(clients) }, () => client()));
  process.stdout.write(JSON.stringify(report));
}

void main();
