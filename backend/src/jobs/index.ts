export { createSource, Duration, JobConfig, JobConfigError, parseJobConfig, SourceConfig } from './config.js';
export type { JobConfigInput, JobSpec, SourceDeps } from './config.js';
export { JobsFile, JobsFileError, loadJobsFile, parseJobsFile } from './file.js';
export type { JobsFileOptions } from './file.js';
export { createDefaultJobs, DEFAULT_JOB_CONFIGS, SIMULATOR_SPEED } from './defaults.js';
export type { DefaultJobsOptions } from './defaults.js';
export { formatDuration, parseDuration } from './duration.js';
export { ScoringJob } from './job.js';
export type { JobSeriesResult, LatestPoint, RunOutcome, ScoringJobDeps } from './job.js';
export { JobManager } from './manager.js';
export { JOB_STATE_VERSION, jobConfigHash, JobStatePort, JobStateStore } from './persistence.js';
export type { JobStateHealth, JobStateStoreOptions } from './persistence.js';
export type { JobManagerOptions } from './manager.js';
export { metricLabels, registerJobMetrics } from './metrics.js';
export { createJobsRouter } from './routes.js';
export {
  JOBS_BASE_PATH,
  JobHealth,
  JobSeries,
  JobSeriesQuery,
  JobSeriesResponse,
  JobsListResponse,
  JobStatus,
  jobsOpenApi,
  jobsOpenApiPaths,
  jobsOpenApiSchemas,
} from './schemas.js';
export { createFakeStream } from './fakeStream.js';
export type { FakeStreamOptions } from './fakeStream.js';
