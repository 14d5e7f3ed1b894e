/**
 * The labels of the series a job takes in: the limits on them, and how log lines name a series.
 *
 * Why limits: a series' labels are copied into every result, every
 * API answer and six gauges per scrape; one 300 MB label made /metrics fail for every job ("Invalid
 * string length"). Prometheus itself sets no limit on query results, so the job does: Grafana Mimir's
 * ingestion defaults (label names up to 1024 bytes, values up to 2048, 30 labels per series), which no
 * real series comes near.
 */
import type { Labels } from '../sources/source.js';

export const LABEL_LIMITS = { maxNameBytes: 1024, maxValueBytes: 2048, maxLabels: 30 } as const;

const PREVIEW = 64;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function preview(s: string): string {
  return s.length > PREVIEW ? `${s.slice(0, PREVIEW)}…` : s;
}

/** What is wrong with these labels (short, with a preview, never the whole label), or null. */
export function labelProblem(labels: Labels, limits = LABEL_LIMITS): string | null {
  const names = Object.keys(labels);
  if (names.length > limits.maxLabels) {
    return `${names.length} labels, more than ${limits.maxLabels}`;
  }
  for (const name of names) {
    // Only long strings are measured exactly: a string of n UTF-16 units has at most 3n UTF-8 bytes.
    if (name.length * 3 > limits.maxNameBytes && bytes(name) > limits.maxNameBytes) {
      return `label name "${preview(name)}" is ${bytes(name)} bytes, more than ${limits.maxNameBytes}`;
    }
    const value = labels[name];
    if (value.length * 3 > limits.maxValueBytes && bytes(value) > limits.maxValueBytes) {
      return `label ${preview(name)}="${preview(value)}" is ${bytes(value)} bytes, more than ${limits.maxValueBytes}`;
    }
  }
  return null;
}

/** A series as log lines name it: `{site=ams link=transit-1}` (the labels in their own order). */
export function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}=${value}`);
  return `{${pairs.join(' ')}}`;
}

const RESERVED = new Set(['job', 'detector']);

/**
 * Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*, names starting with "__" reserved. Invalid characters
 * become "_"; reserved names and names clashing with `job`/`detector` or an earlier label get the
 * "exported_" prefix, as Prometheus does for clashing target labels (`__name__` → `exported_name`).
 */
export function metricLabels(job: string, detector: string, labels: Labels): Record<string, string> {
  const out: Record<string, string> = { job, detector };
  for (const name of Object.keys(labels).sort()) {
    let n = name.replace(/[^a-zA-Z0-9_]/g, '_');
    if (n === '' || /^[0-9]/.test(n)) n = `_${n}`;
    if (n.startsWith('__')) n = `exported_${n.replace(/^_+|_+$/g, '')}`;
    while (RESERVED.has(n) || n in out) n = `exported_${n}`;
    out[n] = labels[name];
  }
  return out;
}
