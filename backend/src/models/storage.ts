/**
 * What the models directory can do, and file-system errors in words an operator can act on.
 *
 * A model version is files; when the disk is read-only, full or gone, Node reports an errno whose
 * meaning depends on the call (a recursive mkdir on a read-only file system says ENOENT, not EROFS).
 * So a failed write is diagnosed by probing the models directory itself, and the answer names the
 * errno (EROFS, EACCES, ENOSPC, …) with what it means and whether retrying later can help.
 */
import { randomBytes } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * `ready`: models load and can be trained and deleted; `read_only`: models load and score, but nothing
 * can be written (training and DELETE answer 503); `unavailable`: the directory cannot be used at all
 * (a file, missing on a read-only file system, unreadable): no models, statistical scoring unaffected.
 */
export type StorageState = 'ready' | 'read_only' | 'unavailable';

export interface StorageStatus {
  state: StorageState;
  /** Why it is not `ready` (errno and meaning, no path: /healthz shows it); null when ready. */
  problem: string | null;
}

const MEANING: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'the path exists and is not a folder',
  ENOENT: 'no such file or folder',
  EIO: 'input/output error',
};

export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "read-only file system (EROFS)"; the error's own message when it has no errno. */
export function describeFsError(err: unknown): string {
  const code = errnoOf(err);
  if (code) return `${MEANING[code] ?? 'file system error'} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

/** HTTP status for a storage failure: 507 when space is the problem, 503 otherwise (retry elsewhere/later). */
export function storageStatus(err: unknown): 503 | 507 {
  const code = errnoOf(err);
  return code === 'ENOSPC' || code === 'EDQUOT' ? 507 : 503;
}

/** A write that failed because of the storage, with the errno that explains it. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: 503 | 507,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** Creates and removes a file in `dir`: the only check that also holds for root and read-only mounts. */
export async function probeWritable(dir: string): Promise<unknown> {
  const probe = join(dir, `.write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '');
  } catch (err) {
    return err;
  }
  await rm(probe, { force: true }).catch(() => {});
  return null;
}

/** Is `dir` a folder (ENOTDIR/EEXIST-like error otherwise)? */
export async function checkDirectory(dir: string): Promise<unknown> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) {
      return Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
    }
    return null;
  } catch (err) {
    return err;
  }
}

/**
 * The error to report for a failed write under `root`: when the root itself refuses a write (a
 * read-only file system answers a recursive mkdir with ENOENT), that refusal; else the original.
 */
export async function diagnoseWrite(root: string, err: unknown): Promise<unknown> {
  const code = errnoOf(err);
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS') return err;
  // A root that does not exist (yet): ask the nearest folder that does.
  let dir = root;
  let problem = await checkDirectory(dir);
  while (errnoOf(problem) === 'ENOENT' && dirname(dir) !== dir) {
    dir = dirname(dir);
    problem = await checkDirectory(dir);
  }
  if (problem) return problem;
  return (await probeWritable(dir)) ?? err;
}
