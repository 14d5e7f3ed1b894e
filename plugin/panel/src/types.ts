import type { DataSourceRef } from '@grafana/schema';

export type PanelMode = 'overlay' | 'noc';

/** The datasource plugin whose instances can score plain series (`scoreSeries`). */
export const TRAFFICLENS_DATASOURCE_ID = 'trafficlens-anomaly-datasource';

export interface PanelOptions {
  mode: PanelMode;
  /** overlay: the normal band (lower–upper) */
  showBand: boolean;
  /** overlay: the expected line */
  showExpected: boolean;
  /** overlay: anomaly episodes shaded across the plot */
  showEpisodes: boolean;
  /** overlay: the score strip below each series, with the boundary at 1 */
  showScore: boolean;
  /** noc: label whose values group series into one tile each (empty: one tile per series) */
  groupBy: string;
  /**
   * noc: a hierarchy of labels to roll the wall up by, broadest first (a job's `groups`, e.g.
   * `site, link`): a tile per site with counts by severity, opening into its links, then their series.
   * Empty: no roll-up (see groupBy).
   */
  rollUp: string;
  /** noc: tiles narrower than this go to another page */
  tileMinWidth: number;
  /** noc: seconds per page when the tiles need several pages (0: no rotation) */
  rotateSeconds: number;
  /**
   * A TrafficLens datasource that scores plain series (frames from any other datasource); unset: plain
   * series are drawn unscored.
   */
  scoreWith?: DataSourceRef | null;
  /** detector for plain series; empty: the chosen datasource's default */
  detector?: string;
  /** 0–100 for plain series; empty: the chosen datasource's default */
  sensitivity?: number;
  /** plain series: the IANA time zone whose local clock their traffic keeps; empty: none */
  timezone?: string;
}

export const DEFAULT_OPTIONS: PanelOptions = {
  mode: 'overlay',
  showBand: true,
  showExpected: true,
  showEpisodes: true,
  showScore: true,
  groupBy: '',
  rollUp: '',
  tileMinWidth: 280,
  rotateSeconds: 15,
  scoreWith: null,
  detector: '',
};
