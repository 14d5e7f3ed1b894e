/**
 * The models directory when storage misbehaves: a directory that cannot be used at all, one that
 * cannot be written, a quarantine folder that cannot be created, and a training pool that is full.
 * Read-only folders are made with chmod 0555; where that does not stop writes (tests running as root)
 * a regular file takes the folder's place, so writes under it really fail (ENOTDIR).
 */
import { openTestModels } from '../api/testing/models.js';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { testApp } from '../api/testApp.js';
import type { ModelMetadata } from '../contract/models.js';
import type { Models } from '../api/models.js';
import { ModelRegistry, type Trainer } from './registry.js';
import { diagnoseWrite, describeFsError, storageStatus } from './storage.js';
import { createInlineTrainer } from './trainer.js';

function series(n: number) {
  const t0 = Date.UTC(2024, 0, 1);
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * 60_000);
  return { timestamps, values: timestamps.map((_, i) => 10 + Math.sin(i / 5)) };
}

function logCapture() {
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** Makes `dir` refuse writes for real; returns how to undo it. */
async function makeUnwritable(dir: string): Promise<() => Promise<void>> {
  await chmod(dir, 0o555);
  const probe = join(dir, '.chmod-probe');
  const chmodHolds = await writeFile(probe, '').then(
    () => false,
    () => true,
  );
  if (chmodHolds) return () => chmod(dir, 0o755);
  // Root ignores permissions: a regular file where the folder was makes every write under it fail.
  await rm(probe, { force: true });
  await chmod(dir, 0o755);
  await rename(dir, `${dir}.away`);
  await writeFile(dir, 'not a folder');
  return async () => {
    await rm(dir);
    await rename(`${dir}.away`, dir);
  };
}

const tmp = () => mkdtemp(join(tmpdir(), 'tl-storage-'));

describe('an unusable models directory', () => {
  test.each([
    ['a regular file', async (base: string) => writeFile(join(base, 'models'), 'x').then(() => 'models')],
    [
      'a folder under a regular file',
      async (base: string) => writeFile(join(base, 'file'), 'x').then(() => 'file/models'),
    ],
  ])(
    '%s: the service opens without models, says so in /healthz and the log, model routes answer 503, scoring works',
    async (_name, make) => {
      const base = await tmp();
      const dir = join(base, await make(base));
      const { logger, lines } = logCapture();
      const models = await openTestModels(dir, { logger });
      expect(models.registry.storage()).toEqual({
        state: 'unavailable',
        problem: expect.stringMatching(/^the models directory cannot be used: .*\((ENOTDIR|EEXIST)\)$/),
      });
      const error = lines.find((l) => l.msg.startsWith('models unavailable'));
      expect(error).toMatchObject({ level: 50, dir });
      const { app } = testApp({ models: models.mount });
      const health = await request(app).get('/healthz').expect(200);
      expect(health.body.models).toEqual(models.registry.storage());
      for (const [method, path] of [
        ['get', '/api/v1/models'],
        ['get', '/api/v1/models/x'],
        ['delete', '/api/v1/models/x'],
        ['post', '/api/v1/models'],
      ] as const) {
        const agent = request(app);
        const res = await agent[method](path).send({ detector: 'lstm', series: series(50) });
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('models_unavailable');
        expect(res.body.error.message).toMatch(/TRAFFICLENS_MODELS_DIR/);
      }
      await request(app)
        .post('/api/v1/score')
        .send({ series: [series(50)] })
        .expect(200);
      await models.close();
      await rm(base, { recursive: true, force: true });
    },
  );
});

describe('a models directory that cannot be written', () => {
  let base = '';
  let dir = '';
  let models: Models;
  let app: ReturnType<typeof testApp>['app'];
  beforeAll(async () => {
    base = await tmp();
    dir = join(base, 'models');
    models = await openTestModels(dir);
    app = testApp({ models: models.mount }).app;
    await request(app)
      .post('/api/v1/models')
      .send({ id: 'keep', detector: 'lstm', series: series(120), options: { epochs: 1, window: 8 } })
      .expect(202);
    await models.registry.settled('keep');
    expect(models.registry.get('keep')?.state).toBe('ready');
  }, 60_000);
  afterAll(async () => {
    await models.close();
    await rm(base, { recursive: true, force: true });
  });

  test('DELETE answers 503 naming the errno, and the model stays, in memory and on disk', async () => {
    const restore = await makeUnwritable(dir);
    try {
      const res = await request(app).delete('/api/v1/models/keep');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('storage_unavailable');
      expect(res.body.error.message).toMatch(/^cannot delete model keep: .*\((EACCES|ENOTDIR)\)$/);
      expect(models.registry.get('keep')?.state).toBe('ready');
      expect((await request(app).get('/healthz')).body.models.state).toBe('read_only');
    } finally {
      await restore();
    }
    expect(await readdir(join(dir, 'keep'))).toEqual(['v1']);
    // Storage back: the next write sees it.
    expect(await models.registry.refreshStorage()).toEqual({ state: 'ready', problem: null });
  });

  test('the registry removes the files before forgetting the model: a failed removal keeps it', async () => {
    expect((await models.registry.refreshStorage()).state).toBe('ready');
    const restore = await makeUnwritable(dir);
    try {
      // Straight to the registry (the route's probe would refuse first): the rename itself fails.
      await expect(models.registry.delete('keep')).rejects.toMatchObject({
        kind: 'storage',
        status: 503,
        message: expect.stringMatching(
          /^model keep was not deleted: .*\((EACCES|ENOTDIR)\); the model is kept/,
        ),
      });
      expect(models.registry.get('keep')?.state).toBe('ready');
    } finally {
      await restore();
    }
  });

  test('training is refused up front with 503 naming the errno instead of failing later with ENOENT', async () => {
    expect((await models.registry.refreshStorage()).state).toBe('ready');
    const restore = await makeUnwritable(dir);
    try {
      const res = await request(app)
        .post('/api/v1/models')
        .send({ id: 'new', detector: 'lstm', series: series(120), options: { epochs: 1, window: 8 } });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'storage_unavailable' });
      expect(res.body.error.message).toMatch(
        /^cannot train: the models directory is not writable: .*\((EACCES|ENOTDIR)\)$/,
      );
      expect(models.registry.get('new')).toBeNull();
    } finally {
      await restore();
    }
  });

  test('a training whose files cannot be written fails naming the errno, not a path and ENOENT', async () => {
    expect((await models.registry.refreshStorage()).state).toBe('ready');
    const restore = await makeUnwritable(dir);
    try {
      // The disk turns read-only between the check and the write: the trainer's own error is what shows.
      models.registry.startTraining({
        id: 'late',
        detector: 'lstm',
        series: series(120),
        source: null,
        options: { epochs: 1, window: 8 },
      });
      await models.registry.settled('late');
    } finally {
      await restore();
    }
    const late = models.registry.get('late');
    expect(late?.state).toBe('failed');
    expect(late?.training?.error).toMatch(
      /^cannot write model late v1 to the models directory: .*\((EACCES|ENOTDIR)\)$/,
    );
  }, 30_000);

  test('a write failing under a read-only root is reported with the root’s errno, not the mkdir’s ENOENT', async () => {
    const restore = await makeUnwritable(dir);
    try {
      // What a recursive mkdir answers on a read-only file system: ENOENT for a folder it could not make.
      const misleading = Object.assign(
        new Error(`ENOENT: no such file or directory, mkdir '${dir}/x/.tmp'`),
        {
          code: 'ENOENT',
        },
      );
      const cause = await diagnoseWrite(dir, misleading);
      expect(describeFsError(cause)).toMatch(/\((EACCES|ENOTDIR)\)$/);
    } finally {
      await restore();
    }
    expect(storageStatus({ code: 'ENOSPC' })).toBe(507);
    expect(describeFsError({ code: 'EROFS' })).toBe('read-only file system (EROFS)');
  });

  test('DELETE removes the files, then the model', async () => {
    expect((await models.registry.refreshStorage()).state).toBe('ready');
    await request(app)
      .post('/api/v1/models')
      .send({ id: 'gone', detector: 'lstm', series: series(120), options: { epochs: 1, window: 8 } })
      .expect(202);
    await models.registry.settled('gone');
    await request(app).delete('/api/v1/models/gone').expect(204);
    expect(models.registry.get('gone')).toBeNull();
    expect((await readdir(dir)).filter((n) => n.includes('gone'))).toEqual([]);
  }, 30_000);
});

test('a corrupt version whose quarantine folder cannot be made is logged as left in place, not as moved', async () => {
  const dir = await tmp();
  await mkdir(join(dir, 'broken', 'v1'), { recursive: true });
  await writeFile(join(dir, 'broken', 'v1', 'metadata.json'), '{not json');
  // A regular file where the quarantine folder goes: really impossible to create, as root too.
  await writeFile(join(dir, '.quarantine'), 'x');
  const { logger, lines } = logCapture();
  const registry = new ModelRegistry({ dir, trainer: createInlineTrainer(), logger, version: 'test' });
  await registry.load();
  const line = lines.find((l) => l.id === 'broken' && l.version === 1 && l.level === 40);
  expect(line).toMatchObject({ movedTo: null, moveError: expect.stringMatching(/\((EEXIST|ENOTDIR)\)$/) });
  expect(line?.msg).toMatch(
    /^model broken v1 is corrupt and was not loaded; it could not be moved to \.quarantine/,
  );
  expect(lines.some((l) => / was quarantined/.test(l.msg))).toBe(false);
  expect(await readdir(join(dir, 'broken'))).toEqual(['v1']);
  expect(registry.get('broken')?.state).toBe('quarantined');
  await rm(dir, { recursive: true, force: true });
});

test('a model deleted while it trains does not come back: the version it writes is removed', async () => {
  const dir = await tmp();
  let finish: () => void = () => {};
  // A trainer that writes its version folder when told to, as a worker finishing late would.
  const trainer: Trainer = {
    train: (job) =>
      new Promise<ModelMetadata>((resolve) => {
        finish = () => {
          const versionDir = join(job.dir, job.id, `v${job.version}`);
          void mkdir(versionDir, { recursive: true })
            .then(() => writeFile(join(versionDir, 'metadata.json'), '{}'))
            .then(() => resolve({} as ModelMetadata));
        };
      }),
    close: async () => {},
  };
  const registry = new ModelRegistry({ dir, trainer, logger: pino({ level: 'silent' }), version: 'test' });
  await registry.load();
  registry.startTraining({ id: 'short-lived', detector: 'lstm', series: series(60), source: null });
  // Taken before the delete: afterwards the registry no longer knows the model, nor its job.
  const settled = registry.settled('short-lived');
  expect(await registry.delete('short-lived')).toBe(true);
  finish();
  await settled;
  expect(await readdir(dir)).toEqual([]);
  const again = new ModelRegistry({ dir, trainer, logger: pino({ level: 'silent' }), version: 'test' });
  await again.load();
  expect(again.get('short-lived')).toBeNull();
  await rm(dir, { recursive: true, force: true });
});

describe('a full training pool', () => {
  test('POST /api/v1/models beyond the trainer’s capacity answers 503 with Retry-After, at once', async () => {
    const dir = await tmp();
    const release: (() => void)[] = [];
    // Trainings that wait until released; two accepted at once, as a pool of 1 thread + 1 queued.
    const trainer: Trainer = {
      capacity: 2,
      train: () =>
        new Promise<ModelMetadata>((_resolve, reject) => release.push(() => reject(new Error('stopped')))),
      close: async () => {},
    };
    const models = await openTestModels(dir, { trainer });
    const { app } = testApp({ models: models.mount });
    // One place is kept for the continuous jobs' queue: the API gets capacity − trainingThreads.
    const statuses: number[] = [];
    let refused: request.Response | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await request(app)
        .post('/api/v1/models')
        .send({ id: `m${i}`, detector: 'lstm', series: series(60) });
      statuses.push(res.status);
      if (res.status === 503) refused = res;
    }
    expect(statuses).toEqual([202, 503, 503]);
    expect(refused?.headers['retry-after']).toBe('30');
    expect(refused?.body.error).toMatchObject({
      code: 'overloaded',
      message: expect.stringMatching(
        /^the training queue is full: 1 trainings are running or waiting and 1 are accepted/,
      ),
    });
    expect(models.registry.get('m1')).toBeNull();
    // The jobs' queue still has its reserved place.
    expect(() => models.registry.assertAccepting(true)).not.toThrow();
    for (const r of release) r();
    await models.registry.settled('m0');
    await request(app)
      .post('/api/v1/models')
      .send({ id: 'm1', detector: 'lstm', series: series(60) })
      .expect(202);
    for (const r of release) r();
    await models.close();
    await rm(dir, { recursive: true, force: true });
  });
});
