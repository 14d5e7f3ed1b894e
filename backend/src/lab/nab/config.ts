/**
 * NAB's configuration files: the scoring profiles (cost matrices), the published per-detector
 * thresholds, and the published final scores.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { NabError } from './errors.js';

export const NAB_PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
export type NabProfileName = (typeof NAB_PROFILE_NAMES)[number];

const CostMatrixSchema = z.object({
  tpWeight: z.number(),
  fpWeight: z.number(),
  fnWeight: z.number(),
  tnWeight: z.number().optional(),
});
export type CostMatrix = z.infer<typeof CostMatrixSchema>;

/** Profile name → cost matrix, in the order the profiles file lists them. */
export type NabProfiles = Record<string, CostMatrix>;

/** NAB v1.1's config/profiles.json, for corpora built in memory. */
export const NAB_V11_PROFILES: NabProfiles = {
  standard: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11, tnWeight: 1.0 },
  reward_low_FP_rate: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22, tnWeight: 1.0 },
  reward_low_FN_rate: { tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11, tnWeight: 1.0 },
};

const ProfilesFileSchema = z.record(z.string(), z.object({ CostMatrix: CostMatrixSchema }));
const ThresholdsFileSchema = z.record(
  z.string(),
  z.record(z.string(), z.object({ threshold: z.number(), score: z.number() })),
);
const FinalResultsFileSchema = z.record(z.string(), z.record(z.string(), z.number()));

/** detector → profile → { threshold, raw corpus score at it } (NAB's config/thresholds.json). */
export type NabThresholds = z.infer<typeof ThresholdsFileSchema>;
/** detector → profile → normalized score (NAB's config/published_final_results.json). */
export type NabFinalResults = z.infer<typeof FinalResultsFileSchema>;

async function readJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new NabError(
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NabError(`${path}: invalid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new NabError(`${path}: unexpected content: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function loadNabProfiles(path: string): Promise<NabProfiles> {
  const file = await readJson(path, ProfilesFileSchema);
  const profiles: NabProfiles = {};
  for (const [name, p] of Object.entries(file)) profiles[name] = p.CostMatrix;
  if (Object.keys(profiles).length === 0) throw new NabError(`${path}: no profiles`);
  return profiles;
}

export function loadNabThresholds(path: string): Promise<NabThresholds> {
  return readJson(path, ThresholdsFileSchema);
}

export function loadNabFinalResults(path: string): Promise<NabFinalResults> {
  return readJson(path, FinalResultsFileSchema);
}
