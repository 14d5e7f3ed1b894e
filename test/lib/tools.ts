/** Locating the repository and the Prometheus tools the cross-part tests run. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The absolute path of a tool from the Debian `prometheus` package, or an error saying how to get it:
 * these tests fail, never skip, when it is missing (.ci/run installs it).
 */
export function requireTool(name: 'promtool' | 'prometheus'): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      `${name} is not installed: these tests need the Debian package "prometheus" ` +
        '(apt-get update && apt-get install -y prometheus; .ci/run does it)',
    );
  }
}
