/**
 * The jobs file (TRAFFICLENS_CONFIG / --config): YAML with a `jobs:` list, validated whole at start.
 * Every problem is reported with its line and the field's path (`jobs.yaml:12:15: jobs[1].interval:
 * "5x" is not a duration…`), all at once, so an operator fixes the file in one go; the service then
 * exits 2 like for any other configuration error.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { JobConfig, type JobSpec } from './config.js';

export const JobsFile = z
  .object({
    jobs: z.array(JobConfig).min(1, 'expected at least one job'),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.jobs.forEach((job, i) => {
      const first = seen.get(job.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'name'],
          message: `"${job.name}" is already the name of jobs[${first}]`,
        });
      } else seen.set(job.name, i);
    });
  });

export class JobsFileError extends Error {
  readonly stage = 'config';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid jobs file ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'JobsFileError';
  }
}

export interface JobsFileOptions {
  /** Whether the server has a Prometheus; PromQL jobs are refused without one. */
  prometheusConfigured: boolean;
}

type PathKey = string | number;

/** `['jobs', 1, 'interval']` → `jobs[1].interval`. */
function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  return out;
}

/** The node at a path, or the deepest existing ancestor; for an unknown key, the key itself. */
function nodeAt(doc: Document, path: readonly PathKey[]): Node | null {
  let node: unknown = doc.contents;
  let found: Node | null = (doc.contents as Node | null) ?? null;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (!pair) break;
      node = pair.value ?? pair.key;
      found = ((pair.value ?? pair.key) as Node | null) ?? found;
    } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
      node = node.items[key];
      found = (node as Node | null) ?? found;
    } else break;
  }
  return found;
}

function keyNode(doc: Document, parent: readonly PathKey[], key: string): Node | null {
  const map = nodeAt(doc, parent);
  if (!isMap(map)) return map;
  const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
  return (pair?.key as Node | undefined) ?? map;
}

/** Parse and validate the text of a jobs file; `file` names it in the messages. */
export function parseJobsFile(text: string, file: string, options: JobsFileOptions): JobSpec[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (node: Node | null | undefined) => {
    const offset = node?.range?.[0];
    if (offset === undefined) return file;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new JobsFileError(
      file,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return `${file}:${line}:${col}: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const result = JobsFile.safeParse(doc.toJS() ?? {});
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          problems.push(`${where(keyNode(doc, path, key))}: ${formatPath([...path, key])}: unknown field`);
        }
      } else {
        const at = formatPath(path);
        problems.push(`${where(nodeAt(doc, path))}: ${at ? `${at}: ` : ''}${issue.message}`);
      }
    }
    throw new JobsFileError(file, problems);
  }
  const specs = result.data.jobs;
  if (!options.prometheusConfigured) {
    specs.forEach((spec, i) => {
      if (spec.source.type === 'prometheus') {
        const node = nodeAt(doc, ['jobs', i, 'expr']) ?? nodeAt(doc, ['jobs', i, 'source']);
        problems.push(
          `${where(node)}: jobs[${i}] "${spec.name}": a PromQL job needs a Prometheus: set TRAFFICLENS_PROMETHEUS_URL (or --prometheus-url)`,
        );
      }
    });
    if (problems.length > 0) throw new JobsFileError(file, problems);
  }
  return specs;
}

/** Read, parse and validate a jobs file. */
export async function loadJobsFile(path: string, options: JobsFileOptions): Promise<JobSpec[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobsFileError(path, [
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read: ${(err as Error).message}`,
    ]);
  }
  return parseJobsFile(text, path, options);
}
