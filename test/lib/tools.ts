/** Locating the repository and the Prometheus tools the cross-part tests run. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The Debian package each tool comes from (.ci/run installs them). */
const PACKAGE = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
} as const;

/**
 * The absolute path of a tool from Debian's `prometheus` or `prometheus-alertmanager` package, or an
 * error saying how to get it: these tests fail, never skip, when it is missing (.ci/run installs it).
 */
export function requireTool(name: keyof typeof PACKAGE): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    const pkg = PACKAGE[name];
    throw new Error(
      `${name} is not installed: these tests need the Debian package "${pkg}" ` +
        `(apt-get update && apt-get install -y ${pkg}; .ci/run does it)`,
    );
  }
}
