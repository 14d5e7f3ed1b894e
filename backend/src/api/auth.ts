/**
 * Optional bearer token for /api/ routes. Both sides are hashed before timingSafeEqual so neither
 * the content nor the length of the token leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors.js';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function tokenMatches(expectedDigest: Buffer, presented: string): boolean {
  return timingSafeEqual(expectedDigest, digest(presented));
}

export function requireBearerToken(token: string): RequestHandler {
  const expected = digest(token);
  const challenge = { 'WWW-Authenticate': 'Bearer realm="trafficlens"' };
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      throw new ApiError(
        401,
        'unauthorized',
        'missing Authorization: Bearer <token> header',
        'auth',
        [],
        challenge,
      );
    }
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match || !tokenMatches(expected, match[1])) {
      throw new ApiError(401, 'unauthorized', 'invalid bearer token', 'auth', [], {
        'WWW-Authenticate': 'Bearer realm="trafficlens", error="invalid_token"',
      });
    }
    next();
  };
}
