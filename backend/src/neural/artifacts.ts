/**
 * A trained model as files, and as the in-memory form detectors score with.
 *
 *   <models dir>/<id>/v<version>/model.json     tf.io format: topology + weights manifest
 *                                 weights.bin    float32 weights, in manifest order
 *                                 metadata.json  ModelMetadata (contract/models.ts)
 *
 * `fileHandler(dir)` is a tf.io IOHandler (save + load), so `model.save(fileHandler(dir))` and
 * `tf.loadLayersModel(fileHandler(dir))` work with TF.js itself; every file is written to a temporary
 * name and renamed into place. The service reads models with `readModelDir` without TF.js.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { ModelMetadata, type FeatureParams } from '../contract/models.js';
import { buildLayers, type Layer, type LayerWeights } from './forward.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const METADATA_JSON = 'metadata.json';

/** What crosses threads and the model API internally: plain, structured-cloneable data. */
export interface ModelBundle {
  metadata: ModelMetadata;
  topology: unknown;
  weights: LayerWeights;
}

/** A bundle ready to score: its layers built and checked against its input shape. */
export interface NeuralModel {
  metadata: ModelMetadata;
  features: FeatureParams;
  layers: Layer[];
}

export class ModelFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ModelFileError';
  }
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

export function joinWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

/** Splits a weights buffer by its manifest (float32 only, which is all these models use). */
export function decodeWeights(
  specs: readonly WeightSpec[],
  bytes: Uint8Array,
  path = WEIGHTS_BIN,
): LayerWeights {
  const out: LayerWeights = {};
  let offset = 0;
  for (const s of specs) {
    if (s.dtype !== 'float32')
      throw new ModelFileError(path, `weight ${s.name} has dtype ${s.dtype}, expected float32`);
    const count = s.shape.reduce((a, b) => a * b, 1);
    const end = offset + count * 4;
    if (end > bytes.byteLength) {
      throw new ModelFileError(path, `is ${bytes.byteLength} bytes; the manifest needs at least ${end}`);
    }
    // Copy: the slice must not alias (and pin) the file buffer, and must be 4-byte aligned.
    out[s.name] = { shape: s.shape, values: new Float32Array(bytes.slice(offset, end).buffer) };
    offset = end;
  }
  if (offset !== bytes.byteLength) {
    throw new ModelFileError(path, `is ${bytes.byteLength} bytes; the manifest describes ${offset}`);
  }
  return out;
}

export function encodeWeights(specs: readonly WeightSpec[], weights: LayerWeights): Uint8Array {
  const parts = specs.map((s) => weights[s.name].values);
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), offset);
    offset += p.byteLength;
  }
  return out;
}

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

function modelJson(artifacts: io.ModelArtifacts) {
  return {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
}

/** tf.io handler on a folder: `model.save(fileHandler(dir))`, `tf.loadLayersModel(fileHandler(dir))`. */
export function fileHandler(dir: string): Required<Pick<io.IOHandler, 'save' | 'load'>> {
  return {
    async save(artifacts) {
      await mkdir(dir, { recursive: true });
      const weights = artifacts.weightData ? joinWeightData(artifacts.weightData) : new Uint8Array();
      await writeAtomic(join(dir, WEIGHTS_BIN), weights);
      const json = JSON.stringify(modelJson(artifacts));
      await writeAtomic(join(dir, MODEL_JSON), json);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: json.length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load() {
      const { topology, specs, bytes } = await readArtifacts(dir);
      return {
        modelTopology: topology as object,
        weightSpecs: specs as io.WeightsManifestEntry[],
        weightData: bytes.slice().buffer,
        format: 'layers-model',
      };
    },
  };
}

async function readArtifacts(dir: string) {
  const path = join(dir, MODEL_JSON);
  let json: { modelTopology?: unknown; weightsManifest?: { paths?: string[]; weights?: WeightSpec[] }[] };
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ModelFileError(
      path,
      e instanceof SyntaxError ? `is not JSON (${e.message})` : (e as Error).message,
    );
  }
  const manifest = json.weightsManifest?.[0];
  if (!json.modelTopology || !manifest || !Array.isArray(manifest.weights)) {
    throw new ModelFileError(path, 'has no modelTopology or weightsManifest');
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(dir, WEIGHTS_BIN)));
  } catch (e) {
    throw new ModelFileError(join(dir, WEIGHTS_BIN), (e as Error).message);
  }
  return { topology: json.modelTopology, specs: manifest.weights, bytes };
}

/** Reads and checks one model version folder; throws ModelFileError saying what is wrong. */
export async function readModelDir(dir: string): Promise<ModelBundle> {
  const metaPath = join(dir, METADATA_JSON);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(metaPath, 'utf8'));
  } catch (e) {
    throw new ModelFileError(
      metaPath,
      e instanceof SyntaxError ? `is not JSON (${e.message})` : (e as Error).message,
    );
  }
  const parsed = ModelMetadata.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelFileError(metaPath, `${issue.path.join('.') || 'metadata'}: ${issue.message}`);
  }
  const metadata = parsed.data;
  const { topology, specs, bytes } = await readArtifacts(dir);
  if (bytes.byteLength !== metadata.weights.bytes || sha256(bytes) !== metadata.weights.sha256) {
    throw new ModelFileError(
      join(dir, WEIGHTS_BIN),
      'does not match the checksum in metadata.json (partial or corrupt)',
    );
  }
  const bundle: ModelBundle = {
    metadata,
    topology,
    weights: decodeWeights(specs, bytes, join(dir, WEIGHTS_BIN)),
  };
  try {
    toNeuralModel(bundle);
  } catch (e) {
    throw new ModelFileError(join(dir, MODEL_JSON), (e as Error).message);
  }
  return bundle;
}

/**
 * Writes a model version atomically: the files go into a hidden temporary folder that is renamed to
 * v<version> once complete, so a crash leaves either the whole version or nothing (plus a temporary
 * folder that the next start removes).
 */
export async function writeModelDir(
  versionDir: string,
  metadata: ModelMetadata,
  artifacts: io.ModelArtifacts,
): Promise<void> {
  const parent = join(versionDir, '..');
  const tmp = join(parent, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp, { recursive: true });
  try {
    await fileHandler(tmp).save(artifacts);
    await writeAtomic(join(tmp, METADATA_JSON), JSON.stringify(metadata, null, 2) + '\n');
    await rename(tmp, versionDir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

const cache = new WeakMap<ModelBundle, NeuralModel>();

export function toNeuralModel(bundle: ModelBundle): NeuralModel {
  let m = cache.get(bundle);
  if (!m) {
    const features = bundle.metadata.features;
    m = {
      metadata: bundle.metadata,
      features,
      layers: buildLayers(bundle.topology, bundle.weights, features.inputShape),
    };
    cache.set(bundle, m);
  }
  return m;
}
