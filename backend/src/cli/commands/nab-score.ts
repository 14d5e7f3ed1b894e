/** trafficlens nab-score: score an existing NAB results folder (e.g. NAB's shipped results/numenta). */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  filterNabCorpus,
  loadNabCorpus,
  loadNabFinalResults,
  loadNabThresholds,
  readNabDetectorDir,
  scoreNab,
} from '../../lab/nab/index.js';
import { CliError } from '../errors.js';
import { formatNabReport } from '../format.js';
import type { CliIO } from '../io.js';
import { resolveNabRoot } from '../paths.js';

interface NabScoreOptions {
  results: string;
  detector: string;
  data?: string;
  optimize: boolean;
  files?: string;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export function registerNabScoreCommand(program: Command, io: CliIO): void {
  program
    .command('nab-score')
    .description("score a NAB results folder (uses NAB's published thresholds when it lists the detector)")
    .requiredOption(
      '-r, --results <dir>',
      'the detector folder (<dir>/<category>/<name>_<file>.csv) or its parent',
    )
    .requiredOption('-d, --detector <name>', 'detector name used in the result file names')
    .option('--data <dir>', 'NAB root (default: ../shared/datasets/nab next to the repository)')
    .option(
      '--optimize',
      'optimise the thresholds even when config/thresholds.json lists the detector',
      false,
    )
    .option('--files <substring>', 'only corpus files whose path contains <substring> (not a corpus score)')
    .action(async (opts: NabScoreOptions) => {
      const root = resolveNabRoot(opts.data);
      const given = resolve(opts.results);
      if (!isDir(given)) throw new CliError(`results folder ${opts.results} does not exist`);
      const detectorDir = isDir(join(given, opts.detector)) ? join(given, opts.detector) : given;

      const full = await loadNabCorpus(root);
      const corpus = opts.files === undefined ? full : filterNabCorpus(full, opts.files);
      if (corpus.files.length === 0) throw new CliError(`no corpus file matches "${opts.files}"`);
      const scores = await readNabDetectorDir(detectorDir, opts.detector, corpus);

      const thresholdsPath = join(root, 'config', 'thresholds.json');
      const publishedPath = join(root, 'config', 'published_final_results.json');
      const listed =
        !opts.optimize && existsSync(thresholdsPath)
          ? (await loadNabThresholds(thresholdsPath))[opts.detector]
          : undefined;
      const threshold = listed
        ? Object.fromEntries(Object.entries(listed).map(([profile, t]) => [profile, t.threshold]))
        : undefined;
      const result = scoreNab(corpus, scores, { threshold });

      const filtered = corpus.files.length !== full.files.length;
      const published =
        !filtered && existsSync(publishedPath)
          ? (await loadNabFinalResults(publishedPath))[opts.detector]
          : undefined;
      const notes = [listed ? 'thresholds: config/thresholds.json (NAB published)' : ''];
      if (filtered) {
        notes.push(
          `note: --files "${opts.files}" selected ${corpus.files.length} of ${full.files.length} files; this is not a NAB corpus score.`,
        );
      }
      io.stdout.write(
        formatNabReport(result, {
          title: `NAB v1.1 scores of ${detectorDir}`,
          published,
          notes: notes.filter(Boolean),
        }),
      );
    });
}
