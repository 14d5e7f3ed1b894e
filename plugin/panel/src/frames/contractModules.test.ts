import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// severity.gen.ts and sensitivityScale.gen.ts are the backend's contract modules, copied by the datasource's script: a change
// there must be regenerated here, or the panel would draw another scale than the scorer computes.
it('the *.gen.ts contract copies are up to date with the backend contract', () => {
  const script = join(__dirname, '../../../datasource/scripts/contract-modules.mjs');
  expect(() =>
    execFileSync(process.execPath, [script, '--check', '--plugin=panel'], { stdio: 'pipe' }),
  ).not.toThrow();
});
