#!/usr/bin/env node
/**
 * API compatibility of a plugin (the one in the current folder: both plugins' `npm run check:compat`
 * run it) with other Grafana versions, with @grafana/levitate: for every export
 * of @grafana/data, @grafana/ui and @grafana/runtime that src/module.ts reaches, compares the installed
 * version's signature with the target version's and reports what was removed or changed.
 *
 *   npm run check:compat                   # the lower bound of plugin.json's grafanaDependency
 *   npm run check:compat -- 12.4.4 13.2.3  # other versions
 *
 * levitate finds the installed versions with `npm list` next to the entry file, which in an npm
 * workspace lists the workspace itself rather than its dependencies. So the check runs on a copy of the
 * layout outside the repository: a package.json naming the installed @grafana versions, node_modules
 * linked to the repository's, a copy of src. It downloads the target packages, so it needs
 * the registry and is not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LEVITATE = '@grafana/levitate@0.17.2';
const PACKAGES = ['@grafana/data', '@grafana/ui', '@grafana/runtime'];
const plugin = process.cwd();
const repoModules = join(plugin, '..', '..', 'node_modules');

const pkg = JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8'));
const pluginJson = JSON.parse(readFileSync(join(plugin, 'src', 'plugin.json'), 'utf8'));
const lowerBound = /^>=\s*(\d+\.\d+\.\d+)/.exec(pluginJson.dependencies.grafanaDependency)?.[1];
const versions = process.argv.slice(2).length ? process.argv.slice(2) : [lowerBound];
if (!versions[0]) {
  throw new Error(`no version to check: grafanaDependency is ${pluginJson.dependencies.grafanaDependency}`);
}

const work = mkdtempSync(join(tmpdir(), 'trafficlens-levitate-'));
let failed = false;
try {
  const dependencies = Object.fromEntries(PACKAGES.map((name) => [name, pkg.dependencies[name]]));
  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({ name: 'levitate-check', private: true, dependencies }),
  );
  symlinkSync(repoModules, join(work, 'node_modules'), 'dir');
  // A copy, not a link: npm would follow a linked folder back into the workspace.
  cpSync(join(plugin, 'src'), join(work, 'src'), { recursive: true });
  for (const version of versions) {
    const target = PACKAGES.map((name) => `${name}@${version}`).join(',');
    console.log(
      `\n== ${pkg.name} (built against ${pkg.dependencies['@grafana/data']}) vs Grafana ${version}`,
    );
    const run = spawnSync(
      'npx',
      ['--yes', LEVITATE, 'is-compatible', '--path', join(work, 'src', 'module.ts'), '--target', target],
      { cwd: work, stdio: 'inherit' },
    );
    if (run.status !== 0) {
      failed = true;
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
