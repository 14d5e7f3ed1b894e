/** The one 404 of the job routes (jobs, feedback, sensitivity): no job of that name. */
import { JOBS_BASE_PATH } from '../../contract/jobs.js';
import { ApiError } from '../errors.js';
import { errorResponse } from './errors.js';

export const unknownJob = (name: string) =>
  new ApiError(
    404,
    'not_found',
    `no job named ${JSON.stringify(name.slice(0, 100))}; GET ${JOBS_BASE_PATH} lists them`,
    'routing',
  );

/** Its OpenAPI response. */
export const JOB_NOT_FOUND = errorResponse('no job of that name');
