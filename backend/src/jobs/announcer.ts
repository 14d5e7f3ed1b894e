/**
 * What a job says in the log: anomaly episodes as they open and close, the summary of a backfill or a
 * refit, a series that changed model, and the job's troubles. It also decides how often a repeated
 * trouble is worth a line, so a source down for hours or a flood of bad series does not flood the log.
 */
import type { Logger } from 'pino';
import type { Episode } from '../contract/score.js';
import type { Labels } from '../sources/source.js';
import { formatDuration } from '../contract/duration.js';
import { formatLabels } from './labels.js';

/** An episode found while scoring history, summarized at the end instead of logged as it is found. */
export interface FoundEpisode {
  labels: Labels;
  episode: Episode;
}

/** Backfill episodes logged one by one; beyond this only the most severe are. */
const BACKFILL_LOG_LIMIT = 10;

export class JobAnnouncer {
  /** `logger`: the job's own (its lines carry the job's name). */
  constructor(private readonly logger: Logger) {}

  runFailed(consecutiveErrors: number, error: string): void {
    // The first failure and then every 10th.
    if (consecutiveErrors === 1 || consecutiveErrors % 10 === 0) {
      this.logger.warn({ stage: 'job', consecutiveErrors, err: error }, `job run failed: ${error}`);
    }
  }

  recovered(afterErrors: number): void {
    this.logger.info({ after: afterErrors }, 'job recovered');
  }

  /** `droppedSoFar`: series refused for their labels over the job's life, this one included. */
  labelsRefused(droppedSoFar: number, problem: string): void {
    if (droppedSoFar === 1 || droppedSoFar % 100 === 0) {
      this.logger.warn(
        { droppedLabelSeries: droppedSoFar, problem },
        `ignoring a series whose labels exceed the limits (${problem}); ${droppedSoFar} dropped so far`,
      );
    }
  }

  /** `droppedSoFar`: new series refused for max_series over the job's life; only the first is logged. */
  seriesRefused(droppedSoFar: number, maxSeries: number, labels: Labels): void {
    if (droppedSoFar === 1) {
      this.logger.warn({ maxSeries, labels }, 'max_series reached: ignoring new series');
    }
  }

  seriesGone(labels: Labels, lastSeen: number): void {
    this.logger.info(
      { labels, lastSeen: new Date(lastSeen).toISOString() },
      'series gone from the source: dropped',
    );
  }

  episodeOpened(labels: Labels, e: Episode): void {
    this.logger.warn(
      this.episodeFields(labels, e),
      `anomaly ${e.severityLabel} ${e.direction} on ${formatLabels(labels)}: ${e.explanation.summary}`,
    );
  }

  /** An episode that starts inside a maintenance window: no alert, one info line for the record. */
  episodeSuppressed(labels: Labels, e: Episode): void {
    this.logger.info(
      { ...this.episodeFields(labels, e), suppressed: true },
      `anomaly on ${formatLabels(labels)} suppressed by a maintenance window: ${e.explanation.summary}`,
    );
  }

  /** An episode a false positive's tolerance covers (jobs/feedback.ts): no alert, one info line for the record. */
  episodeTolerated(labels: Labels, e: Episode): void {
    this.logger.info(
      { ...this.episodeFields(labels, e), tolerated: true },
      `anomaly on ${formatLabels(labels)} tolerated (feedback: false positive): ${e.explanation.summary}`,
    );
  }

  episodeClosed(labels: Labels, e: Episode): void {
    const fields = {
      ...this.episodeFields(labels, e),
      end: new Date(e.end).toISOString(),
      durationMs: e.end - e.start,
    };
    this.logger.info(fields, `anomaly over on ${formatLabels(labels)} (peak score ${fields.peakScore})`);
  }

  /**
   * A piece of a range fetched in pieces (jobs/fetchPieces.ts) scored: a backfill of many series takes
   * minutes to hours, and the log says how far it got.
   */
  pieceScored(mode: string, pieceEnd: number, end: number, series: number, points: number): void {
    this.logger.info(
      { mode, scoredUntil: pieceEnd, end, series, points },
      `${mode}: scored up to ${new Date(pieceEnd).toISOString()} of ${new Date(end).toISOString()} (${series} series, ${points} points so far)`,
    );
  }

  /**
   * The end of a backfill or refit over `fitWindowMs`: one summary line, then the most severe episodes
   * found, oldest first.
   */
  historyScored(
    what: 'backfill' | 'refit',
    fitWindowMs: number,
    series: number,
    points: number,
    found: FoundEpisode[],
  ): void {
    this.logger.info(
      { points, series, episodes: found.length, fromMs: fitWindowMs },
      `${what} scored ${points} points of history in ${series} series: ${found.length} anomaly episodes`,
    );
    const shown = [...found]
      .sort((a, b) => b.episode.severity - a.episode.severity)
      .slice(0, BACKFILL_LOG_LIMIT);
    for (const { labels, episode } of shown.sort((a, b) => a.episode.start - b.episode.start)) {
      this.logger.info(
        {
          labels,
          backfill: true,
          severity: episode.severity,
          direction: episode.direction,
          kind: episode.explanation.kind,
          start: new Date(episode.start).toISOString(),
          end: new Date(episode.end).toISOString(),
          open: episode.open,
        },
        `past anomaly ${episode.severityLabel} ${episode.direction} on ${formatLabels(labels)}: ${episode.explanation.summary}`,
      );
    }
  }

  /** New series of a group are not primed from it: the retention holds less than its period (jobs/coldStart.ts). */
  coldStartNeedsRetention(
    periodPoints: number,
    neededPoints: number,
    retentionPoints: number,
    stepMs: number,
  ): void {
    this.logger.warn(
      { stage: 'cold_start', periodPoints, retentionPoints, neededPoints },
      `new series of this job's groups learn from scratch: their siblings' period is ${formatDuration(periodPoints * stepMs)} ` +
        `(${periodPoints} points) and retention keeps ${retentionPoints} points; priming from the group needs at least ${neededPoints}: raise retention`,
    );
  }

  /** A series rebuilt with a new model version; `episodes`: found while rescoring its fit window. */
  modelSwapped(labels: Labels, model: { id: string; version: number | null }, episodes: number): void {
    this.logger.info(
      { stage: 'models', labels, model: model.id, version: model.version, episodes },
      `${formatLabels(labels)} now scores with model ${model.id} v${model.version} (fit window rescored: ${episodes} anomaly episodes)`,
    );
  }

  private episodeFields(labels: Labels, e: Episode) {
    return {
      labels,
      severity: e.severity,
      severityLabel: e.severityLabel,
      direction: e.direction,
      kind: e.explanation.kind,
      start: new Date(e.start).toISOString(),
      peakScore: Number(e.peakScore.toFixed(3)),
    };
  }
}
