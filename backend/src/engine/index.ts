/**
 * Engine entry points. Everything outside the engine (API, CLI, jobs, lab) goes through here.
 */
export type { PushOptions, ScoreParams, ScoringStream, StreamPoint } from './types.js';
export { StreamSnapshot, STREAM_SNAPSHOT_VERSION } from './snapshot.js';
export { DETECTOR_STATE_VERSION } from '../detectors/snapshot.js';
export { EngineError } from '../contract/errors.js';
export { causalLearningScores, scoreSeries, scoreSeriesJson, scoreSeriesJsonPieces } from './batch.js';
export { createStream, restoreStream } from './stream.js';
export { READABLE_DETECTOR_VERSIONS } from './upgrade.js';
export { LocalClock } from './localClock.js';
