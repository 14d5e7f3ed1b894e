/**
 * The unit of a series' values, as a Grafana unit id, so a dashboard formats values, bands and
 * episode texts without guessing from metric names. The scorer only carries it (its numbers are the
 * same in any unit); the allow-list exists so a typo ("Mbps", "bytes/s") is refused where it is
 * written instead of showing up as a bare number on a dashboard. Ids are case-sensitive: `Bps` is
 * bytes per second, `bps` bits per second.
 */
import { z } from 'zod';

/** Grafana's ids for what traffic, service and host metrics are measured in. */
export const UNITS = [
  // data rate
  'Bps',
  'bps',
  'KBs',
  'Kbits',
  'MBs',
  'Mbits',
  'GBs',
  'Gbits',
  'TBs',
  'Tbits',
  'binBps',
  'binbps',
  'pps',
  // throughput
  'reqps',
  'ops',
  'rps',
  'wps',
  'iops',
  'cps',
  'eps',
  'mps',
  'opm',
  'reqpm',
  'rpm',
  'wpm',
  'cpm',
  // data
  'bytes',
  'decbytes',
  'bits',
  'decbits',
  // time
  'ns',
  'µs',
  'ms',
  's',
  'm',
  'h',
  'd',
  // ratio and plain numbers
  'percent',
  'percentunit',
  'short',
  'none',
  'sci',
  'celsius',
  'dB',
] as const;

/** Grafana's custom units: "suffix:/s", "si:req/s", "count:flows". */
const CUSTOM = /^(suffix|prefix|si|count):[^\s\p{Cc}]{1,32}$/u;

const ALLOWED = new Set<string>(UNITS);

export const Unit = z
  .string()
  .refine((id) => ALLOWED.has(id) || CUSTOM.test(id), {
    error: (issue) =>
      `${JSON.stringify(String(issue.input).slice(0, 64))} is not a Grafana unit id: use one of ` +
      `${UNITS.slice(0, 13).join(', ')} (data rates), reqps, ops, s, ms, percentunit, percent, short, ` +
      'bytes… or a custom unit such as suffix:flows/s',
  })
  .describe(
    'Grafana unit id of the values as scored (for a counter: of its per-second rate), e.g. Bps ' +
      '(bytes/s), bps (bits/s), pps, reqps, s, percentunit, short, or a custom unit (suffix:/s)',
  );
