/** The bench's stdout: plain-text tables, the same on a terminal and in a CI log. */
import type { BenchResult } from './run.js';
import { API_FLOOR_TARGET, type ApiResult } from './api.js';
import type { MemoryResult } from './memory.js';
import type { BreakdownResult, PartBytes } from './memoryBreakdown.js';

type Align = 'left' | 'right';

/** Columns padded to their widest cell; the first column left-aligned, the rest right-aligned. */
export function table(rows: readonly (readonly string[])[], align?: readonly Align[], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) =>
            (align?.[i] ?? (i === 0 ? 'left' : 'right')) === 'left'
              ? cell.padEnd(widths[i])
              : cell.padStart(widths[i]),
          )
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

export const int = (n: number): string =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n);

/** Few significant digits for small rates (augurs), thousands separators for large ones. */
export function rate(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 1000) return int(n);
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export const ratio = (n: number): string => `${Number.isFinite(n) ? (n >= 100 ? int(n) : n.toFixed(1)) : n}×`;

export function duration(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes >= 1 && Number.isInteger(minutes)) return `${minutes} min`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function formatBenchReport(r: BenchResult): string {
  const out: string[] = [];
  const sys = r.system;
  out.push(
    `TrafficLens bench (${r.mode}), ${r.startedAt}, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    `node ${sys.node} (V8 ${sys.v8}) · ${sys.cpu} · ${sys.cores} cores (${sys.availableParallelism} available) · ${sys.platform}/${sys.arch}`,
    '',
  );

  out.push('Inputs (README.md says why)');
  out.push(
    table(
      [
        ['series', 'points', 'step', 'period', 'augurs window', 'augurs scored', 'source'],
        ...r.inputs.map((s) => {
          const p = r.peer.find((x) => x.series === s.name);
          const scored = p
            ? `${int(p.scored)} ${p.scored < p.scorable ? `of ${int(p.scorable)} (prefix)` : '(all)'}`
            : '-';
          return [
            s.name,
            int(s.points),
            duration(s.stepMs),
            String(s.period),
            p ? int(p.window) : '-',
            scored,
            s.source,
          ];
        }),
      ],
      ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
    '',
  );

  const names = r.inputs.map((s) => s.name);
  const reps = r.throughput[0]?.runsMs.length ?? 0;
  out.push(
    `Causal throughput, points/s (median of ${reps} run${reps === 1 ? '' : 's'}; stream = createStream().push per point, batch = scoreSeries with causal: true)`,
  );
  const rows: string[][] = [['detector', 'path', ...names, 'all', 'min ÷ augurs']];
  for (const o of r.overall) {
    const cells = names.map((n) => {
      const c = r.throughput.find((x) => x.detector === o.detector && x.path === o.path && x.series === n);
      return c ? int(c.pointsPerSec) : '-';
    });
    const mine = r.ratios.filter((x) => x.detector === o.detector && x.path === o.path);
    const worst = mine.length ? ratio(Math.min(...mine.map((x) => x.ratio))) : '-';
    rows.push([o.detector, o.path, ...cells, int(o.pointsPerSec), worst]);
  }
  if (r.peer.length) {
    const level = r.peer[0].level;
    rows.push([
      `augurs MSTL+ETS ${Math.round(level * 100)}%`,
      'refit/pt',
      ...names.map((n) => {
        const p = r.peer.find((x) => x.series === n);
        return p ? rate(p.pointsPerSec) : '-';
      }),
      '',
      '1×',
    ]);
    rows.push([
      'auto ÷ augurs',
      'stream',
      ...names.map((n) => {
        const x = r.ratios.find((q) => q.detector === 'auto' && q.path === 'stream' && q.series === n);
        return x ? ratio(x.ratio) : '-';
      }),
      '',
      '',
    ]);
  }
  out.push(table(rows, ['left', 'left']), '');

  for (const m of r.memory) out.push(formatMemoryReport(m));

  if (r.api) out.push(formatApiReport(r.api));

  if (r.targets.length) {
    out.push('Targets');
    out.push(
      table(
        r.targets.map((t) => [
          t.met ? 'met' : 'MISSED',
          t.name,
          `≥ ${t.unit === 'ratio' ? ratio(t.target) : int(t.target)}`,
          t.unit === 'ratio' ? ratio(t.value) : int(t.value),
          t.met ? '' : `(${((t.value / t.target - 1) * 100).toFixed(0)} %)`,
        ]),
        ['left', 'left', 'right', 'right', 'left'],
      ),
    );
  }
  return out.join('\n') + '\n';
}

/** The /api/v1/score latency table: latency, floor and their ratio at p50 and p99, and the target. */
export function formatApiReport(a: ApiResult): string {
  return [
    `/api/v1/score latency: ${a.series} series × ${int(a.pointsPerSeries)} points per request, ${a.requests} requests, ` +
      `executor ${a.executor.mode}${a.executor.mode === 'pool' ? ` (${a.executor.threads} worker thread${a.executor.threads === 1 ? '' : 's'} at nice +${a.executor.nice})` : ''}; ` +
      `request ${mb(a.requestBytes)}, response ${mb(a.responseBytes)}`,
    table([
      ['', 'p50', 'p99', 'min', 'max'],
      [
        'latency: request sent → last byte received (ms)',
        int(a.p50Ms),
        int(a.p99Ms),
        int(a.minMs),
        int(a.maxMs),
      ],
      [
        "  then the client's UTF-8 decode of the response, not in it (ms)",
        int(a.decode.p50Ms),
        int(a.decode.p99Ms),
        '',
        '',
      ],
      ['floor: JSON.parse(request) + JSON.stringify(response) (ms)', a.floor.p50Ms.toFixed(1), '', '', ''],
      [
        '  of which parse / stringify (ms)',
        `${a.floor.parseP50Ms.toFixed(1)} / ${a.floor.stringifyP50Ms.toFixed(1)}`,
        '',
        '',
        '',
      ],
      ['latency ÷ floor', ratio(a.ratioP50), ratio(a.ratioP99), '', ''],
    ]),
    `target ≤ ${API_FLOOR_TARGET}× the floor at p50 and p99: ${a.ratioP50 <= API_FLOOR_TARGET && a.ratioP99 <= API_FLOOR_TARGET ? 'met' : 'MISSED'}` +
      ` (1-minute load average ${a.loadAverage.before.toFixed(1)} before, ${a.loadAverage.after.toFixed(1)} after)`,
    '',
  ].join('\n');
}

/** One memory measure: a live stream's state, or a job slot's (stream + retention ring). */
export function formatMemoryReport(m: MemoryResult): string {
  const head = m.retention
    ? `Job slot memory: ${m.detector} stream + retention ring of ${int(m.retention)} points (jobs/ring.ts), ${int(m.streams)} slots × ${int(m.pointsPerStream)} points`
    : `Stream state memory: ${m.detector}, ${int(m.streams)} live streams × ${int(m.pointsPerStream)} points`;
  return [
    `${head} (period ${m.period}, state ${m.state}); gc via ${m.gc}`,
    table([
      [m.retention ? 'per slot' : 'per stream', 'heap objects', 'array buffers', 'total'],
      ['', kib(m.heapBytesPerStream), kib(m.arrayBufferBytesPerStream), kib(m.totalBytesPerStream)],
    ]),
    '',
  ].join('\n');
}

/** Where a stream's and a ring's bytes go (memoryBreakdown.ts). */
export function formatBreakdownReport(b: BreakdownResult): string {
  const sum = (rows: readonly PartBytes[]) =>
    rows.reduce((a, r) => ({ heap: a.heap + r.heapBytes, buf: a.buf + r.arrayBufferBytes }), {
      heap: 0,
      buf: 0,
    });
  const total = sum(b.parts);
  // Each allocation once: views of one buffer share it, and shared buffers are one copy per configuration.
  const allocations = new Map(b.typedArrays.map((t) => [t.buffer, t]));
  const own = [...allocations.values()].filter((t) => !t.shared);
  const ownBytes = own.reduce((a, t) => a + t.bufferBytes, 0);
  const sharedCount = allocations.size - own.length;
  return [
    `Stream memory by part: ${b.detector} (period ${b.period}), ${int(b.streams)} scorers × ${int(b.points)} points; what cutting each part loose frees, in this order`,
    table([
      ['part', 'heap objects', 'array buffers', 'total'],
      ...b.parts.map((p) => [
        p.part,
        kib(p.heapBytes),
        kib(p.arrayBufferBytes),
        kib(p.heapBytes + p.arrayBufferBytes),
      ]),
      ['sum', kib(total.heap), kib(total.buf), kib(total.heap + total.buf)],
    ]),
    '',
    `Typed arrays of one scorer: ${b.typedArrays.length} in ${allocations.size} buffers, ${int(ownBytes)} bytes in ` +
      `${own.length} of its own (buffers of 64 bytes or less live in the heap), ${sharedCount} shared with every ` +
      'scorer of its configuration',
    table([
      ['path', 'bytes', 'buffer', 'buffer bytes'],
      ...b.typedArrays.map((t) => [
        t.path,
        int(t.bytes),
        `#${t.buffer}${t.shared ? ' shared' : ''}`,
        int(t.bufferBytes),
      ]),
    ]),
    '',
    'Retention ring alone (jobs/ring.ts), filled',
    table([
      ['capacity', 'heap objects', 'array buffers', 'total'],
      ...b.rings.map((r) => [
        int(r.capacity),
        kib(r.heapBytes),
        kib(r.arrayBufferBytes),
        kib(r.heapBytes + r.arrayBufferBytes),
      ]),
    ]),
    '',
  ].join('\n');
}
