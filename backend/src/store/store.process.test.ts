/**
 * The store across processes (the built `dist/store`; needs `npm run build -w backend`, fails rather
 * than skips without it): a writer killed with kill -9 in the middle of its writes loses none it had
 * acknowledged and leaves a file that opens cleanly; two processes writing at once both get every
 * write in, and their conflicting edits of one window are refused, never lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { Store } from './store.js';
import { WindowsTable } from './windows.js';

const BUILT = fileURLToPath(new URL('../../dist/store/index.js', import.meta.url));

/**
 * A child that opens the store and, `count` times, creates a window (or, with `edit`, updates that one
 * window at the version it reads), printing one line per acknowledged write: `ok <id> <version>` or
 * `conflict <version>`.
 */
const WRITER = `
const { Store, WindowsTable, isRefusal } = await import(process.env.BUILT);
const windows = new WindowsTable(Store.open({ path: process.env.DB, busyTimeoutMs: 10000 }));
const [count, edit] = [Number(process.env.COUNT), process.env.EDIT];
const fields = (i) => ({ matchers: ['site="ams"'], startsAt: 1, endsAt: 2, schedule: null, author: process.env.NAME, comment: String(i) });
for (let i = 0; i < count; i++) {
  if (edit) {
    const seen = windows.get(edit).version;
    const out = windows.update(edit, fields(i), Date.now(), seen);
    process.stdout.write(isRefusal(out) ? 'conflict ' + out.currentVersion + '\\n' : 'ok ' + out.id + ' ' + out.version + '\\n');
  } else {
    const w = windows.create(fields(i), Date.now());
    process.stdout.write('ok ' + w.id + ' ' + w.version + '\\n');
  }
}
`;

class Writer {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private buffered = '';
  private waiters: (() => void)[] = [];

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
      env: { PATH: process.env.PATH ?? '', BUILT, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.buffered + chunk).split('\n');
      this.buffered = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async untilLines(n: number): Promise<void> {
    while (this.lines.length < n) {
      if (this.child.exitCode !== null) throw new Error(`writer exited after ${this.lines.length} lines`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

let dir: string;
beforeAll(() => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build -w backend\` first`);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tl-store-proc-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('kill -9 while writing: every acknowledged window is there after reopening, and the file is sound', async () => {
  const db = join(dir, 'trafficlens.db');
  const writer = new Writer({ DB: db, COUNT: '100000', NAME: 'victim' });
  await writer.untilLines(50);
  writer.child.kill('SIGKILL');
  await writer.exited;
  const acknowledged = writer.lines.filter((l) => l.startsWith('ok ')).map((l) => l.split(' ')[1]);
  expect(acknowledged.length).toBeGreaterThanOrEqual(50);

  const store = Store.open({ path: db });
  expect(store.health().state).toBe('ready');
  const ids = new Set(new WindowsTable(store).list().map((w) => w.id));
  for (const id of acknowledged) expect(ids.has(id)).toBe(true);
  store.close();
  const check = new Sqlite(db, { readonly: true });
  expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
  check.close();
});

test('two processes writing at once: every create is kept; concurrent edits of one window conflict, none is lost', async () => {
  const db = join(dir, 'trafficlens.db');
  const store = Store.open({ path: db });
  const windows = new WindowsTable(store);
  const shared = windows.create(
    { matchers: ['site="ams"'], startsAt: 1, endsAt: 2, schedule: null, author: 'setup', comment: '' },
    1,
  );

  const creators = ['a', 'b'].map((name) => new Writer({ DB: db, COUNT: '200', NAME: name }));
  const editors = ['c', 'd'].map((name) => new Writer({ DB: db, COUNT: '200', NAME: name, EDIT: shared.id }));
  const codes = await Promise.all([...creators, ...editors].map((w) => w.exited));
  expect(codes).toEqual([0, 0, 0, 0]);

  const all = windows.list();
  expect(all.filter((w) => w.author === 'a')).toHaveLength(200);
  expect(all.filter((w) => w.author === 'b')).toHaveLength(200);
  // Each successful edit made exactly one version: the final version counts them all.
  const edits = editors.flatMap((e) => e.lines.filter((l) => l.startsWith('ok ')));
  expect(windows.get(shared.id)!.version).toBe(1 + edits.length);
  expect(new Set(edits.map((l) => l.split(' ')[2])).size).toBe(edits.length);
  expect(windows.history(shared.id)).toHaveLength(1 + edits.length);
  store.close();
});
