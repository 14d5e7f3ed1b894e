/** The JSON-body routes' guard: a body of another media type is a 415 naming what was sent. */
import type { RequestHandler } from 'express';
import { ApiError } from '../../contract/errors.js';

export const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `expected Content-Type: application/json, got ${req.headers['content-type'] ?? 'none'}`,
      'parse',
    );
  }
  next();
};
