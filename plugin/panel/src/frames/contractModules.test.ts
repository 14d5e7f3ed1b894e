import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// severity.gen.ts is the backend's contract/severity.ts, copied by the datasource's script: a change
// there must be regenerated here, or the panel would draw another scale than the scorer computes.
it('severity.gen.ts is up to date with the backend contract', () => {
  const script = join(__dirname, '../../../datasource/scripts/contract-modules.mjs');
  expect(() =>
    execFileSync(process.execPath, [script, '--check', '--plugin=panel'], { stdio: 'pipe' }),
  ).not.toThrow();
});
