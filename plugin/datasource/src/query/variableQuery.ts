/**
 * Template variable queries (`metricFindQuery`), modelled on the Prometheus datasource's:
 *
 *   jobs()                              the continuous jobs' names (also what an empty query lists)
 *   detectors()                         the scorer's detectors
 *   label_names(job)                    label names of the job's series
 *   label_values(job, label)            values of one label
 *   label_values(job{site="ams"}, link) values among the series the matchers select
 */

export type VariableQuery =
  | { kind: 'jobs' }
  | { kind: 'detectors' }
  | { kind: 'label_names'; job: string; filter: string }
  | { kind: 'label_values'; job: string; filter: string; label: string };

export type ParsedVariableQuery = { ok: true; query: VariableQuery } | { ok: false; error: string };

const USAGE = 'expected jobs(), detectors(), label_names(job) or label_values(job, label)';
// A job name is anything but the characters that delimit the arguments.
const SELECTOR = /^\s*([^\s,{}()]+)\s*(\{[^}]*\})?\s*$/;
const LABEL = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/;

function selector(arg: string, fn: string): { job: string; filter: string } | string {
  const m = SELECTOR.exec(arg);
  if (!m) {
    return `${fn}: expected a job name, optionally followed by {matchers}, got "${arg.trim()}"`;
  }
  return { job: m[1], filter: m[2] ?? '' };
}

export function parseVariableQuery(text: string | undefined): ParsedVariableQuery {
  const src = (text ?? '').trim();
  if (src === '') {
    return { ok: true, query: { kind: 'jobs' } };
  }
  const call = /^([a-z_]+)\s*\(([\s\S]*)\)$/.exec(src);
  if (!call) {
    return { ok: false, error: `variable query "${src}": ${USAGE}` };
  }
  const [, fn, rawArgs] = call;
  switch (fn) {
    case 'jobs':
    case 'detectors':
      if (rawArgs.trim() !== '') {
        return { ok: false, error: `${fn}() takes no arguments` };
      }
      return { ok: true, query: { kind: fn } };
    case 'label_names': {
      const sel = selector(rawArgs, fn);
      return typeof sel === 'string' ? { ok: false, error: sel } : { ok: true, query: { kind: fn, ...sel } };
    }
    case 'label_values': {
      // The label is after the last comma; matchers inside {…} may contain commas themselves.
      const comma = rawArgs.lastIndexOf(',');
      if (comma < 0 || comma < rawArgs.lastIndexOf('}')) {
        return { ok: false, error: 'label_values(job, label): expected a label name after the job' };
      }
      const sel = selector(rawArgs.slice(0, comma), fn);
      if (typeof sel === 'string') {
        return { ok: false, error: sel };
      }
      const label = LABEL.exec(rawArgs.slice(comma + 1));
      if (!label) {
        return { ok: false, error: `label_values: "${rawArgs.slice(comma + 1).trim()}" is not a label name` };
      }
      return { ok: true, query: { kind: fn, ...sel, label: label[1] } };
    }
    default:
      return { ok: false, error: `variable query: unknown function ${fn}(); ${USAGE}` };
  }
}
