import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// severity.gen.ts, sensitivityScale.gen.ts, timezone.gen.ts and query/regex.gen.ts are the backend's contract modules, copied by
// scripts/contract-modules.mjs: a change there must be regenerated here.
it('the copies of the backend contract modules are up to date', () => {
  const script = join(__dirname, '../../scripts/contract-modules.mjs');
  expect(() =>
    execFileSync(process.execPath, [script, '--check', '--plugin=datasource'], { stdio: 'pipe' }),
  ).not.toThrow();
});
