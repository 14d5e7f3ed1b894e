/** The project's NAB v1.1 scorer: corpus loading, scoring, threshold optimisation, results files, runner. */
export { NabError } from './errors.js';
export {
  NAB_PROFILE_NAMES,
  NAB_V11_PROFILES,
  loadNabFinalResults,
  loadNabProfiles,
  loadNabThresholds,
  type CostMatrix,
  type NabFinalResults,
  type NabProfileName,
  type NabProfiles,
  type NabThresholds,
} from './config.js';
export {
  NAB_PROBATION_PERCENT,
  buildNabCorpus,
  buildNabFile,
  countPoints,
  countWindows,
  filterNabCorpus,
  loadNabCorpus,
  nabProbationLength,
  type NabCorpus,
  type NabFile,
  type NabFileInput,
  type NabWindow,
} from './corpus.js';
export { MAX_TP, OUTSIDE_WINDOW, scaledSigmoid, sweepFile, weightSweep, type FileSweep } from './sweeper.js';
export { isDetection, scoreFileAtThreshold, type NabTally } from './fileScore.js';
export { optimizeThreshold, type ThresholdChoice } from './optimizer.js';
export { normalizeNabScore, nullRaw, perfectRaw } from './normalize.js';
export {
  scoreNab,
  type NabProfileScore,
  type NabScoreResult,
  type NabScoresByFile,
  type ScoreNabOptions,
} from './corpusScore.js';
export {
  formatNabResultsCsv,
  nabLabels,
  nabDetectorFilePath,
  nabResultsPath,
  readNabDetectorDir,
  readNabResults,
  writeNabResults,
  type ReadNabResultsOptions,
} from './results.js';
export {
  runNab,
  type NabDetectorFn,
  type NabFileProgress,
  type NabRunResult,
  type RunNabOptions,
} from './runner.js';
