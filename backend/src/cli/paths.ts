/** Locating the repository and the NAB corpus kept next to it (../shared/datasets/nab). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './errors.js';

const NAB_RELATIVE = join('..', 'shared', 'datasets', 'nab');

/** The nearest folder above `from` whose package.json declares workspaces: the repository root. */
export function findRepoRoot(from = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ('workspaces' in JSON.parse(readFileSync(pkg, 'utf8'))) return dir;
      } catch {
        // not JSON: keep looking upwards
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * The NAB root to use: --data when given (relative to the working directory), else
 * ../shared/datasets/nab next to the repository (found from this module's location, so it works from
 * backend/dist and from backend/src), else the same path relative to the working directory.
 */
export function resolveNabRoot(data: string | undefined, cwd = process.cwd()): string {
  if (data !== undefined) return resolve(cwd, data);
  const repo = findRepoRoot();
  const candidates = [...(repo ? [resolve(repo, NAB_RELATIVE)] : []), resolve(cwd, NAB_RELATIVE)];
  const found = candidates.find((c) => existsSync(join(c, 'data')));
  if (!found)
    throw new CliError(`NAB corpus not found (looked in ${candidates.join(', ')}); pass --data <NAB root>`);
  return found;
}
