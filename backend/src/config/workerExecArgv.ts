import { Worker } from 'node:worker_threads';

/**
 * execArgv for piscina worker threads: the parent's node flags a worker accepts, and require(esm) off.
 * Node 20.19+ lets require() load ES modules, and piscina tries require() on a worker file before
 * import(); that path (ModuleWrap::CreateRequiredModuleFacade) aborted the whole process now and then
 * under load in CI ("Assertion failed: facade->InstantiateModule"). With require(esm) off in the workers,
 * piscina's require() fails cleanly with ERR_REQUIRE_ESM and it falls back to import(), the stable loader.
 * Process-wide flags (`--expose-gc`, V8 heap sizes such as `--max-old-space-size`, which workers take
 * from `resourceLimits`) make `new Worker` throw "invalid execArgv flags": passed on as they were,
 * `node --max-old-space-size=4096 … serve` had no scoring pool, and `node --expose-gc … bench` failed.
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const key = parent.join('\0');
  let kept = accepted.get(key);
  if (!kept) {
    kept = startsWith(parent) ? [...parent] : parent.filter((flag) => startsWith([flag]));
    accepted.set(key, kept);
  }
  return [...kept, '--no-experimental-require-module'];
}

const accepted = new Map<string, string[]>();

/** Whether a worker thread takes these flags: `new Worker` checks them before it starts a thread. */
function startsWith(execArgv: readonly string[]): boolean {
  if (execArgv.length === 0) return true;
  try {
    void new Worker('', { eval: true, execArgv: [...execArgv] }).terminate();
    return true;
  } catch {
    return false;
  }
}
