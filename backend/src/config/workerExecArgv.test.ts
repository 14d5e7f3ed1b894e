import { Worker } from 'node:worker_threads';
import { workerExecArgv } from './workerExecArgv.js';

/** Whether a worker thread starts with these node flags (a flag it refuses throws in the constructor). */
function starts(execArgv: string[]): boolean {
  try {
    void new Worker('', { eval: true, execArgv }).terminate();
    return true;
  } catch {
    return false;
  }
}

describe('workerExecArgv', () => {
  it("keeps the parent's flags a worker accepts and adds the require(esm) switch", () => {
    expect(workerExecArgv(['--trace-warnings'])).toEqual([
      '--trace-warnings',
      '--no-experimental-require-module',
    ]);
  });

  it('drops process-wide flags a worker refuses (node --expose-gc, --max-old-space-size)', () => {
    const parent = ['--expose-gc', '--trace-warnings', '--max-old-space-size=512'];
    expect(starts(parent)).toBe(false);
    const argv = workerExecArgv(parent);
    expect(argv).toEqual(['--trace-warnings', '--no-experimental-require-module']);
    expect(starts(argv)).toBe(true);
  });
});
