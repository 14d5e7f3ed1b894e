/**
 * The TensorFlow.js runtime, loaded lazily: only training (and the bench) import TensorFlow.js, so the
 * service's start and the statistical detectors never pay for it (~0.4 s and ~150 MB of modules).
 * Scoring with a trained model does not need it either: neural/forward.ts runs the trained weights in
 * plain JavaScript.
 *
 * Backend choice, first that loads: `@tensorflow/tfjs-node` (native libtensorflow; an optional
 * dependency whose install downloads libtensorflow, so it is absent on machines without open
 * internet), else `@tensorflow/tfjs-backend-wasm` (its .wasm files ship inside the npm package and
 * are read from disk, never fetched), else the plain JavaScript `cpu` backend.
 * TRAFFICLENS_TFJS_BACKEND=tensorflow|wasm|cpu asks for one (falling back as above if it cannot load).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs');
export const TFJS_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type TfjsBackend = (typeof TFJS_BACKENDS)[number];

export interface TfRuntime {
  tf: Tf;
  backend: TfjsBackend;
  /** Why preferred backends were skipped, e.g. "tensorflow: Cannot find module '@tensorflow/tfjs-node'". */
  skipped: string[];
  loadMs: number;
}

let loading: Promise<TfRuntime> | null = null;
let current: TfjsBackend | null = null;
/** A backend some other thread (a training worker) reported, until this thread loads its own. */
let reported: TfjsBackend | null = null;

/** The backend in use in this process, or null while no TF.js code has run (see /healthz). */
export function tfjsBackend(): TfjsBackend | null {
  return current ?? reported;
}

/** Training workers load TF.js in their own thread; the main thread learns their backend this way. */
export function reportTfjsBackend(backend: TfjsBackend): void {
  reported = backend;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0] : String(e));

function wasmDir(): string {
  const require = createRequire(import.meta.url);
  // The package's main file sits in dist/, beside the .wasm binaries.
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

async function tryBackend(tf: Tf, name: TfjsBackend): Promise<boolean> {
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDir());
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok && tf.getBackend() === name;
}

function order(preferred: string | undefined): TfjsBackend[] {
  const wanted = TFJS_BACKENDS.find((b) => b === preferred);
  return wanted ? [wanted, ...TFJS_BACKENDS.filter((b) => b !== wanted)] : [...TFJS_BACKENDS];
}

async function load(preferred: string | undefined): Promise<TfRuntime> {
  const t0 = performance.now();
  const skipped: string[] = [];
  let tf: Tf | null = null;
  for (const name of order(preferred)) {
    try {
      if (name === 'tensorflow') {
        // tfjs-node registers the "tensorflow" backend and re-exports the same tfjs it depends on.
        const node = (await import(/* optional */ '@tensorflow/tfjs-node' as string)) as Tf;
        tf = node;
      }
      tf ??= await import('@tensorflow/tfjs');
      // Production mode skips per-op debug checks (and the console banner about tfjs-node).
      tf.enableProdMode();
      if (await tryBackend(tf, name)) {
        current = name;
        return { tf, backend: name, skipped, loadMs: performance.now() - t0 };
      }
      skipped.push(`${name}: did not initialise`);
    } catch (e) {
      skipped.push(`${name}: ${errorText(e)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded (${skipped.join('; ')})`);
}

/** Loads TF.js once per thread (concurrent callers share the load); later calls return the same runtime. */
export function loadTf(
  preferred: string | undefined = process.env.TRAFFICLENS_TFJS_BACKEND,
): Promise<TfRuntime> {
  loading ??= load(preferred).catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

/** Switches the loaded runtime to another backend (the bench measures each); false if it cannot. */
export async function useBackend(name: TfjsBackend): Promise<boolean> {
  const rt = await loadTf();
  try {
    if (!(await tryBackend(rt.tf, name))) return false;
  } catch {
    return false;
  }
  rt.backend = name;
  current = name;
  return true;
}
