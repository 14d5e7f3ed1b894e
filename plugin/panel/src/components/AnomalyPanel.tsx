import React, { useEffect, useMemo, useState } from 'react';
import { LoadingState, type PanelProps } from '@grafana/data';
import { parseFrames, type PanelEpisode, type PanelSeries } from '../frames/parse';
import { useScoredSeries } from '../scoring/useScoredSeries';
import type { PanelOptions } from '../types';
import { NocWall } from './NocWall';
import { Overlay } from './Overlay';
import { PanelMessage, PanelNotice } from './PanelMessage';
import { MaintenanceForm } from './MaintenanceForm';
import { FeedbackForm } from './FeedbackForm';
import { SeriesSensitivityForm } from './SeriesSensitivityForm';
import { config, RefreshEvent } from '@grafana/runtime';
import {
  findFeedbackWriter,
  findSeriesSensitivityWriter,
  findWindowWriter,
  type FeedbackWriter,
  type SeriesSensitivityWriter,
  type WindowWriter,
} from '../windows/writer';

/** Picks the state to show (error, loading, empty, nothing drawable) or the mode's drawing. */
export function AnomalyPanel(props: PanelProps<PanelOptions>) {
  const { data, options, width, height } = props;
  const parsed = useMemo(() => parseFrames(data?.series), [data?.series]);
  const errors = data?.errors ?? [];
  const scoring = useScoredSeries(parsed.series, options);
  const series = scoring.series;
  const status = scoring.status;
  const [maintenance, setMaintenance] = useState<{ series: PanelSeries; from: number; to: number } | null>(
    null,
  );
  // undefined: still looking for a datasource that stores windows; null: none can.
  const [writer, setWriter] = useState<WindowWriter | null | undefined>(undefined);
  const refs = useMemo(
    () => [...(data?.request?.targets ?? []).map((t) => t.datasource), options.scoreWith],
    [data?.request?.targets, options.scoreWith],
  );
  const [seriesForm, setSeriesForm] = useState<PanelSeries | null>(null);
  const [seriesWriter, setSeriesWriter] = useState<SeriesSensitivityWriter | null | undefined>(undefined);
  useEffect(() => {
    if (!seriesForm) {
      return;
    }
    let live = true;
    findSeriesSensitivityWriter(refs).then((w) => live && setSeriesWriter(w));
    return () => {
      live = false;
    };
  }, [seriesForm, refs]);
  const [feedback, setFeedback] = useState<{ series: PanelSeries; episode: PanelEpisode } | null>(null);
  const [feedbackWriter, setFeedbackWriter] = useState<FeedbackWriter | null | undefined>(undefined);
  useEffect(() => {
    if (!feedback) {
      return;
    }
    let live = true;
    findFeedbackWriter(refs).then((w) => live && setFeedbackWriter(w));
    return () => {
      live = false;
    };
  }, [feedback, refs]);
  useEffect(() => {
    if (!maintenance) {
      return;
    }
    let live = true;
    findWindowWriter(refs).then((w) => live && setWriter(w));
    return () => {
      live = false;
    };
  }, [maintenance, refs]);

  if (data?.state === LoadingState.Error && parsed.series.length === 0) {
    const message = errors.map((e) => e.message || e.data?.message || 'query failed').join('; ');
    return <PanelMessage kind="error" title="Query error" detail={message || 'the query failed'} />;
  }
  if (parsed.series.length === 0) {
    if (data?.state === LoadingState.Loading) {
      return <PanelMessage kind="loading" title="Loading…" />;
    }
    if (parsed.problems.length > 0) {
      return <PanelMessage kind="error" title="Nothing to draw" detail={parsed.problems.join('; ')} />;
    }
    return (
      <PanelMessage kind="empty" title="No data" detail="The query returned no series in this time range." />
    );
  }

  if (status.kind === 'error') {
    return <PanelMessage kind="error" title={status.problem.title} detail={status.problem.detail} />;
  }

  const notices: Array<[string, string]> = [];
  if (status.kind === 'scoring') {
    notices.push(['scoring', `Scoring ${status.count} series…`]);
  } else if (!series.some((s) => s.score !== null)) {
    notices.push([
      'unscored',
      options.scoreWith?.uid
        ? 'No anomaly scores: no series with points to score.'
        : 'No anomaly scores: these series are drawn as they are. To score them, choose a TrafficLens datasource under "Score with" in the panel options (or query a TrafficLens datasource).',
    ]);
  }
  if (scoring.skipped > 0) {
    const { maxSeries, maxPoints } = scoring.limits;
    notices.push([
      'skipped',
      `${scoring.skipped} series not scored: the panel scores at most ${maxSeries} series and ${maxPoints.toLocaleString('en-US')} points at once; narrow the query or the time range`,
    ]);
  }
  const learning = series.filter((s) => s.state === 'learning').length;
  if (learning > 0) {
    notices.push([
      'learning',
      `${learning} of ${series.length} series learning: not enough history yet, scores stay 0`,
    ]);
  }
  if (errors.length > 0) {
    notices.push(['error', `Partial results: ${errors.map((e) => e.message).join('; ')}`]);
  }
  if (parsed.problems.length > 0) {
    notices.push(['problems', `Skipped: ${parsed.problems.join('; ')}`]);
  }
  const noticeHeight = notices.length * 22;
  const inner = { width, height: Math.max(0, height - noticeHeight) };

  return (
    <div
      style={{ width, height, display: 'flex', flexDirection: 'column', position: 'relative' }}
      data-testid="trafficlens-panel"
    >
      {notices.map(([id, text]) => (
        <PanelNotice key={id} testId={`trafficlens-notice-${id}`}>
          {text}
        </PanelNotice>
      ))}
      {options.mode === 'noc' ? (
        <NocWall series={series} options={options} {...inner} />
      ) : (
        <Overlay
          series={series}
          options={options}
          {...inner}
          timeRange={props.timeRange}
          timeZone={props.timeZone}
          onChangeTimeRange={props.onChangeTimeRange}
          onSelectMaintenance={(s, from, to) => {
            setWriter(undefined);
            setFeedback(null);
            setMaintenance({ series: s, from, to });
          }}
          onSelectEpisode={(s, episode) => {
            setFeedbackWriter(undefined);
            setMaintenance(null);
            setSeriesForm(null);
            setFeedback({ series: s, episode });
          }}
          onSelectSeries={(s) => {
            setSeriesWriter(undefined);
            setMaintenance(null);
            setFeedback(null);
            setSeriesForm(s);
          }}
        />
      )}
      {maintenance && writer !== undefined && (
        <MaintenanceForm
          name={maintenance.series.name}
          labels={maintenance.series.labels}
          from={maintenance.from}
          to={maintenance.to}
          timeZone={props.timeZone}
          author={config.bootData?.user?.login ?? ''}
          create={writer ? writer.create : null}
          onClose={() => setMaintenance(null)}
        />
      )}
      {seriesForm && seriesForm.job && seriesWriter !== undefined && (
        <SeriesSensitivityForm
          name={seriesForm.name}
          job={seriesForm.job}
          labels={seriesForm.labels}
          current={seriesForm.liveSensitivity}
          author={config.bootData?.user?.login ?? ''}
          writer={seriesWriter}
          onClose={() => setSeriesForm(null)}
          // Runs the panel's query again (the dashboard's refresh), so it shows what now alerts.
          onApplied={() => props.eventBus.publish(new RefreshEvent())}
        />
      )}
      {feedback && feedback.series.job && feedbackWriter !== undefined && (
        <FeedbackForm
          name={feedback.series.name}
          job={feedback.series.job}
          labels={feedback.series.labels}
          episode={feedback.episode}
          timeZone={props.timeZone}
          author={config.bootData?.user?.login ?? ''}
          send={feedbackWriter ? feedbackWriter.send : null}
          undo={feedbackWriter ? feedbackWriter.undo : null}
          onClose={() => setFeedback(null)}
        />
      )}
    </div>
  );
}
