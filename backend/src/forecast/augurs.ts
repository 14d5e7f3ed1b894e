/**
 * augurs (Grafana's time-series library, Rust compiled to wasm) as forecasting methods: MSTL with an
 * AutoETS trend, and AutoETS alone (non-seasonal: augurs 0.10's AutoETS finds no seasonal model).
 * Measured side by side with the hand-written method in the bench (lab/bench/forecast.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { AutoETS as AutoEtsClass } from '@bsull/augurs/ets';
import type { MSTL as MstlClass } from '@bsull/augurs/mstl';
import { emptyPath, type ForecastFn, type ForecastPath } from './methods.js';

export interface Augurs {
  MSTL: typeof MstlClass;
  AutoETS: typeof AutoEtsClass;
}

let loaded: Augurs | null = null;

/**
 * Loads the wasm synchronously from the package folder. createRequire().resolve rather than
 * import.meta.resolve: the same code then runs under jest's ESM loader, which lacks the latter.
 */
export async function loadAugurs(): Promise<Augurs> {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const mstl = await import('@bsull/augurs/mstl');
  mstl.initSync({
    module: readFileSync(new URL('./mstl_bg.wasm', pathToFileURL(require.resolve('@bsull/augurs/mstl')))),
  });
  const ets = await import('@bsull/augurs/ets');
  ets.initSync({
    module: readFileSync(new URL('./ets_bg.wasm', pathToFileURL(require.resolve('@bsull/augurs/ets')))),
  });
  loaded = { MSTL: mstl.MSTL, AutoETS: ets.AutoETS };
  return loaded;
}

interface AugursModel {
  predict(
    horizon: number,
    level?: number | null,
  ): { point: number[]; intervals?: { lower: number[]; upper: number[] } };
  free(): void;
}

function predictBoth(model: AugursModel, horizon: number): ForecastPath {
  const f80 = model.predict(horizon, 0.8);
  const f95 = model.predict(horizon, 0.95);
  const path = emptyPath(horizon);
  for (let h = 0; h < horizon; h++) {
    path.mean[h] = f80.point[h];
    path.lower80[h] = f80.intervals?.lower[h] ?? NaN;
    path.upper80[h] = f80.intervals?.upper[h] ?? NaN;
    path.lower95[h] = f95.intervals?.lower[h] ?? NaN;
    path.upper95[h] = f95.intervals?.upper[h] ?? NaN;
  }
  return path;
}

/** AutoETS over the non-seasonal models ("ZZN": error, trend and no season chosen by AICc). */
export function augursEts(lib: Augurs): ForecastFn {
  return (y, _period, horizon) => {
    const model = new lib.AutoETS(1, 'ZZN');
    try {
      model.fit(y);
      return predictBoth(model, horizon);
    } finally {
      model.free();
    }
  };
}

/** MSTL on the detected season with an AutoETS trend; AutoETS alone when there is no season to use. */
export function augursMstl(lib: Augurs): ForecastFn {
  const ets = augursEts(lib);
  return (y, period, horizon) => {
    if (period === null || 2 * period > y.length) return ets(y, period, horizon);
    const model = lib.MSTL.ets([period]);
    try {
      model.fit(y);
      return predictBoth(model, horizon);
    } finally {
      model.free();
    }
  };
}
