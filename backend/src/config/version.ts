import { readFileSync } from 'node:fs';

/**
 * The backend package version. Resolved relative to this module, which sits one level below the
 * package root both as source (src/config) and compiled (dist/config).
 */
export function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
