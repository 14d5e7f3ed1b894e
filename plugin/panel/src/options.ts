import type { PanelOptionsEditorBuilder } from '@grafana/data';
import { DetectorEditor, ScoreWithEditor } from './components/ScoringEditors';
import { DEFAULT_OPTIONS, type PanelOptions } from './types';

const isOverlay = (o: PanelOptions) => o.mode !== 'noc';
const isNoc = (o: PanelOptions) => o.mode === 'noc';
const SCORING = ['Scoring of plain series'];

export function addPanelOptions(builder: PanelOptionsEditorBuilder<PanelOptions>) {
  return builder
    .addRadio({
      path: 'mode',
      name: 'Mode',
      description:
        'Overlay: each series with its band and anomalies. NOC wall: one status tile per series or group',
      defaultValue: DEFAULT_OPTIONS.mode,
      settings: {
        options: [
          { value: 'overlay', label: 'Overlay' },
          { value: 'noc', label: 'NOC wall' },
        ],
      },
    })
    .addBooleanSwitch({
      path: 'showBand',
      name: 'Normal band',
      defaultValue: DEFAULT_OPTIONS.showBand,
      showIf: isOverlay,
    })
    .addBooleanSwitch({
      path: 'showExpected',
      name: 'Expected line',
      defaultValue: DEFAULT_OPTIONS.showExpected,
      showIf: isOverlay,
    })
    .addBooleanSwitch({
      path: 'showEpisodes',
      name: 'Shade episodes',
      defaultValue: DEFAULT_OPTIONS.showEpisodes,
      showIf: isOverlay,
    })
    .addBooleanSwitch({
      path: 'showScore',
      name: 'Score strip',
      description: 'The anomaly score below each series; the dashed line is the boundary at 1',
      defaultValue: DEFAULT_OPTIONS.showScore,
      showIf: isOverlay,
    })
    .addTextInput({
      path: 'groupBy',
      name: 'Group tiles by label',
      description: 'e.g. site: one tile per site showing its worst series; empty: one tile per series',
      defaultValue: DEFAULT_OPTIONS.groupBy,
      showIf: isNoc,
    })
    .addTextInput({
      path: 'rollUp',
      name: 'Roll up by labels',
      description:
        "a hierarchy, broadest first, e.g. the job's groups `site, link`: a tile per site with counts by severity (worst first) that opens into its links, then their series; takes over from Group tiles by label",
      defaultValue: DEFAULT_OPTIONS.rollUp,
      showIf: isNoc,
    })
    .addNumberInput({
      path: 'tileMinWidth',
      name: 'Minimum tile width (px)',
      defaultValue: DEFAULT_OPTIONS.tileMinWidth,
      settings: { min: 120, max: 2000, integer: true },
      showIf: isNoc,
    })
    .addNumberInput({
      path: 'rotateSeconds',
      name: 'Seconds per page',
      description: 'When the tiles need several pages, show each this long (0: stay on the first)',
      defaultValue: DEFAULT_OPTIONS.rotateSeconds,
      settings: { min: 0, max: 3600, integer: true },
      showIf: isNoc,
    })
    .addCustomEditor({
      id: 'scoreWith',
      path: 'scoreWith',
      name: 'Score with',
      description:
        'A TrafficLens datasource that scores series from other datasources (Prometheus, InfluxDB, SNMP…); empty: they are drawn unscored',
      category: SCORING,
      defaultValue: DEFAULT_OPTIONS.scoreWith,
      editor: ScoreWithEditor,
    })
    .addCustomEditor({
      id: 'detector',
      path: 'detector',
      name: 'Detector',
      description: "empty: the datasource's default detector",
      category: SCORING,
      defaultValue: DEFAULT_OPTIONS.detector,
      editor: DetectorEditor,
      showIf: (o) => Boolean(o.scoreWith?.uid),
    })
    .addNumberInput({
      path: 'sensitivity',
      name: 'Sensitivity',
      description:
        "0 (only the most extreme deviations) … 100 (flag small deviations); empty: the datasource's default",
      category: SCORING,
      settings: { min: 0, max: 100, placeholder: 'datasource default' },
      showIf: (o) => Boolean(o.scoreWith?.uid),
    })
    .addTextInput({
      path: 'timezone',
      name: 'Time zone',
      description:
        "the IANA time zone whose local clock the series' traffic keeps, e.g. Europe/Berlin: its daily pattern then moves with the zone's daylight-saving changes; empty: none (UTC)",
      category: SCORING,
      settings: { placeholder: 'UTC' },
      showIf: (o) => Boolean(o.scoreWith?.uid),
    });
}
