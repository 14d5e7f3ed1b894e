export type PanelMode = 'overlay' | 'noc';

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
  /** noc: tiles narrower than this go to another page */
  tileMinWidth: number;
  /** noc: seconds per page when the tiles need several pages (0: no rotation) */
  rotateSeconds: number;
}

export const DEFAULT_OPTIONS: PanelOptions = {
  mode: 'overlay',
  showBand: true,
  showExpected: true,
  showEpisodes: true,
  showScore: true,
  groupBy: '',
  tileMinWidth: 280,
  rotateSeconds: 15,
};
