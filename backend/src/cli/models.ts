/** Trained models named on the command line (`--model DIR`). */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readModelDir, type ModelBundle } from '../neural/artifacts.js';
import { CliError } from './errors.js';

/** A version folder (has metadata.json), or a model folder (its newest v<N>). */
export async function loadModel(path: string): Promise<ModelBundle> {
  const entries = await readdir(path).catch(() => {
    throw new CliError(`cannot read model ${path}: no such folder`);
  });
  if (entries.includes('metadata.json')) return readModelDir(path);
  const versions = entries
    .map((e) => /^v(\d+)$/.exec(e))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  for (const v of versions) {
    const dir = join(path, `v${v}`);
    if ((await stat(dir)).isDirectory()) return readModelDir(dir);
  }
  throw new CliError(`${path}: no model version in it (expected v1/, v2/, … or a metadata.json)`);
}

/** How the response names the model (as the service does for `model: id`). */
export function trainedRef(model: ModelBundle | null) {
  return model ? { id: model.metadata.id, version: model.metadata.version, state: 'ready' as const } : null;
}
