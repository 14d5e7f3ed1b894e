import React, { useCallback, useEffect, useState, type ChangeEvent } from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import {
  Checkbox,
  Combobox,
  InlineField,
  InlineFieldRow,
  Input,
  RadioButtonGroup,
  Stack,
  TextArea,
  type ComboboxOption,
} from '@grafana/ui';
import { SENSITIVITY_SCALE } from '../api/sensitivityScale.gen';
import { LiveSensitivity } from './LiveSensitivity';
import type { DetectorInfo, JobStatus } from '../api/types';
import type { DataSource } from '../datasource';
import { parseLabelFilter } from '../query/labelFilter';
import {
  DEFAULT_FORECAST_HORIZON,
  DEFAULT_QUERY,
  SERIES_FIELDS,
  SENSITIVITY_HINT,
  sensitivityProblem,
  timeZoneProblem,
  type QueryFormat,
  type QueryMode,
  type SeriesField,
  type TrafficLensOptions,
  type TrafficLensQuery,
} from '../types';

type Props = QueryEditorProps<DataSource, TrafficLensQuery, TrafficLensOptions>;

const LABEL_WIDTH = 14;

const modeOptions: Array<SelectableValue<QueryMode>> = [
  { label: 'Continuous job', value: 'job', description: 'results of a scoring job that runs in the scorer' },
  {
    label: 'PromQL',
    value: 'promql',
    description: 'an expression the scorer runs on its Prometheus and scores on demand (POST /api/v1/query)',
  },
];

const scoreOptions: Array<SelectableValue<boolean>> = [
  { label: 'Live (job)', value: false, description: 'scores the job computed as points arrived (causal)' },
  {
    label: 'Rescore',
    value: true,
    description: 'score the job’s values again with this detector and sensitivity',
  },
];

const formatOptions: Array<SelectableValue<QueryFormat>> = [
  { label: 'Series', value: 'series', description: 'one frame per series: value, band, score…' },
  { label: 'Episodes', value: 'episodes', description: 'one row per anomaly episode (tables, annotations)' },
  {
    label: 'Incidents',
    value: 'incidents',
    description: 'one row per incident across the job’s series of a group (tables, annotations; mode Job)',
  },
  {
    label: 'Forecast',
    value: 'forecast',
    description: 'each series forecast past the range end, with 80 % and 95 % intervals',
  },
];

const FIELD_LABELS: Record<SeriesField, string> = {
  value: 'value',
  expected: 'expected',
  band: 'band',
  score: 'score',
  anomaly: 'anomaly',
};

function jobOption(job: JobStatus): ComboboxOption<string> {
  return {
    value: job.name,
    label: job.name,
    description: `${job.source} · ${job.detector} at sensitivity ${job.sensitivity} · ${job.series} series · ${job.health}`,
  };
}

function detectorOption(d: DetectorInfo): ComboboxOption<string> {
  return { value: d.name, label: d.name, description: d.description };
}

/** Runs the loader whenever it changes; errors are shown next to the field instead of thrown. */
/** `load`'s result; loaded again whenever `reload` changes. */
function useLoaded<T>(load: () => Promise<T>, reload = 0): { value?: T; error?: string } {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setState({ value }),
      (err: unknown) => live && setState({ error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [load, reload]);
  return state;
}

export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  const q: TrafficLensQuery = { ...DEFAULT_QUERY, ...query };
  const mode = q.mode ?? 'job';
  const format = q.format ?? 'series';
  const fields = q.fields?.length ? q.fields : SERIES_FIELDS;

  // Bumped when the job's live sensitivity changes here, to reload the jobs' status.
  const [jobsVersion, setJobsVersion] = useState(0);
  const jobs = useLoaded(
    useCallback(() => datasource.getJobs(), [datasource]),
    jobsVersion,
  );
  const detectors = useLoaded(useCallback(() => datasource.getDetectors(), [datasource]));
  const selectedJob = jobs.value?.find((j) => j.name === q.job);

  const filterCheck = parseLabelFilter(q.filter);

  // Free-text fields change the query as they are typed and run it when they lose focus.
  const change = useCallback(
    (patch: Partial<TrafficLensQuery>, run = true) => {
      onChange({ ...query, ...patch });
      if (run) {
        onRunQuery();
      }
    },
    [onChange, onRunQuery, query],
  );

  const onSensitivity = (e: ChangeEvent<HTMLInputElement>) => {
    const text = e.target.value.trim();
    change({ sensitivity: text === '' ? undefined : Number(text) }, false);
  };
  const sensitivityError = sensitivityProblem(q.sensitivity);
  const timeZoneError = timeZoneProblem(q.timezone);
  // Detector and sensitivity apply when the plugin asks the scorer to score: PromQL, or a rescored job.
  const scoring = mode === 'promql' || Boolean(q.rescore);

  const toggleField = (field: SeriesField) => {
    const next = fields.includes(field) ? fields.filter((f) => f !== field) : [...fields, field];
    change({ fields: SERIES_FIELDS.filter((f) => next.includes(f)) });
  };

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <InlineField label="Source" labelWidth={LABEL_WIDTH}>
          <RadioButtonGroup<QueryMode>
            aria-label="Source"
            options={modeOptions}
            value={mode}
            onChange={(value) => change({ mode: value })}
          />
        </InlineField>
      </InlineFieldRow>

      {mode === 'job' ? (
        <InlineFieldRow>
          <InlineField
            label="Job"
            labelWidth={LABEL_WIDTH}
            htmlFor="query-editor-job"
            invalid={Boolean(jobs.error)}
            error={jobs.error}
            tooltip="A continuous scoring job of the scorer (GET /api/v1/jobs). Template variables such as $job work."
          >
            <Combobox<string>
              id="query-editor-job"
              width={32}
              placeholder={jobs.value ? 'choose a job' : 'loading jobs…'}
              options={(jobs.value ?? []).map(jobOption)}
              value={q.job ? { value: q.job, label: q.job } : null}
              createCustomValue
              onChange={(option) => change({ job: option.value })}
            />
          </InlineField>
          <InlineField
            label="Series"
            labelWidth={10}
            grow
            invalid={!filterCheck.ok}
            error={filterCheck.ok ? undefined : filterCheck.error}
            tooltip='Label matchers as in PromQL: site="ams", link=~"transit-.*", direction!="out". Empty: all series.'
          >
            <Input
              id="query-editor-filter"
              value={q.filter ?? ''}
              placeholder='site="ams", link=~"transit-.*"'
              onChange={(e: ChangeEvent<HTMLInputElement>) => change({ filter: e.target.value }, false)}
              onBlur={() => onRunQuery()}
            />
          </InlineField>
        </InlineFieldRow>
      ) : (
        <InlineFieldRow>
          <InlineField
            label="Expression"
            labelWidth={LABEL_WIDTH}
            grow
            htmlFor="query-editor-expr"
            tooltip="Runs on the scorer's Prometheus (TRAFFICLENS_PROMETHEUS_URL) over the panel range, plus the history the detector needs before it; every series it returns is scored."
          >
            <TextArea
              id="query-editor-expr"
              rows={2}
              value={q.expr ?? ''}
              placeholder='sum by (site, link) (rate(ifHCInOctets{site=~"$site"}[5m]))'
              onChange={(e: ChangeEvent<HTMLTextAreaElement>) => change({ expr: e.target.value }, false)}
              onBlur={() => onRunQuery()}
            />
          </InlineField>
          <InlineField
            label="Step"
            labelWidth={8}
            htmlFor="query-editor-step"
            tooltip="Evaluation step, e.g. 1m; empty: Grafana's interval for the panel (at least 1s)."
          >
            <Input
              id="query-editor-step"
              width={10}
              value={q.step ?? ''}
              placeholder="auto"
              onChange={(e: ChangeEvent<HTMLInputElement>) =>
                change({ step: e.target.value || undefined }, false)
              }
              onBlur={() => onRunQuery()}
            />
          </InlineField>
          <InlineField
            label="Unit"
            labelWidth={8}
            htmlFor="query-editor-unit"
            tooltip="Grafana unit id of the expression's values, e.g. Bps (bytes/s), bps (bits/s), reqps, s, percentunit; the scorer checks it. Empty: from the metric name."
          >
            <Input
              id="query-editor-unit"
              width={12}
              value={q.unit ?? ''}
              placeholder="auto"
              onChange={(e: ChangeEvent<HTMLInputElement>) =>
                change({ unit: e.target.value || undefined }, false)
              }
              onBlur={() => onRunQuery()}
            />
          </InlineField>
        </InlineFieldRow>
      )}

      <InlineFieldRow>
        {mode === 'job' && (
          <InlineField label="Scores" labelWidth={LABEL_WIDTH}>
            <RadioButtonGroup<boolean>
              aria-label="Scores"
              options={scoreOptions}
              value={Boolean(q.rescore)}
              onChange={(value) => change({ rescore: value })}
            />
          </InlineField>
        )}
        <InlineField
          label="Detector"
          labelWidth={mode === 'job' ? 10 : LABEL_WIDTH}
          disabled={!scoring}
          invalid={Boolean(detectors.error)}
          error={detectors.error}
          htmlFor="query-editor-detector"
          tooltip="Detector for on-demand scoring; empty: the datasource default."
        >
          <Combobox<string>
            id="query-editor-detector"
            width={20}
            disabled={!scoring}
            isClearable
            placeholder={scoring ? datasource.defaultDetector : (selectedJob?.detector ?? 'job’s')}
            options={(detectors.value ?? []).map(detectorOption)}
            value={q.detector ?? null}
            onChange={(option) => change({ detector: option?.value || undefined })}
          />
        </InlineField>
        <InlineField
          label="Sensitivity"
          labelWidth={12}
          disabled={!scoring}
          invalid={Boolean(sensitivityError)}
          error={sensitivityError}
          tooltip={`${SENSITIVITY_HINT}; empty: the datasource default.`}
        >
          <Input
            id="query-editor-sensitivity"
            type="number"
            min={SENSITIVITY_SCALE.min}
            max={SENSITIVITY_SCALE.max}
            width={10}
            disabled={!scoring}
            placeholder={String(scoring ? datasource.defaultSensitivity : (selectedJob?.sensitivity ?? ''))}
            value={q.sensitivity ?? ''}
            onChange={onSensitivity}
            onBlur={() => onRunQuery()}
          />
        </InlineField>
        <InlineField
          label="Time zone"
          labelWidth={11}
          disabled={!scoring}
          invalid={Boolean(timeZoneError)}
          error={timeZoneError}
          htmlFor="query-editor-timezone"
          tooltip="The time zone whose local clock the traffic keeps, e.g. Europe/Berlin: its daily pattern moves with the zone's daylight-saving changes. Empty: none (UTC)."
        >
          <Input
            id="query-editor-timezone"
            width={20}
            disabled={!scoring}
            placeholder="UTC"
            value={q.timezone ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              change({ timezone: e.target.value.trim() || undefined }, false)
            }
            onBlur={() => onRunQuery()}
          />
        </InlineField>
      </InlineFieldRow>

      {mode === 'job' && !q.rescore && selectedJob && (
        <LiveSensitivity
          datasource={datasource}
          job={selectedJob.name}
          current={selectedJob.sensitivity}
          filter={filterCheck.ok ? q.filter : undefined}
          onApplied={() => {
            setJobsVersion((v) => v + 1);
            onRunQuery();
          }}
        />
      )}

      <InlineFieldRow>
        <InlineField
          label="Legend"
          labelWidth={LABEL_WIDTH}
          tooltip="Series name, e.g. {{site}} {{link}} {{direction}}"
        >
          <Input
            id="query-editor-legend"
            width={32}
            value={q.legendFormat ?? ''}
            placeholder="{{site}} {{link}}"
            onChange={(e: ChangeEvent<HTMLInputElement>) => change({ legendFormat: e.target.value }, false)}
            onBlur={() => onRunQuery()}
          />
        </InlineField>
        <InlineField label="Return" labelWidth={10}>
          <RadioButtonGroup<QueryFormat>
            aria-label="Return"
            options={formatOptions}
            value={format}
            onChange={(value) => change({ format: value })}
          />
        </InlineField>
        {format === 'forecast' && (
          <>
            <InlineField
              label="Horizon"
              labelWidth={10}
              tooltip="How far ahead, e.g. 24h or 7d; the series need at least that much history"
            >
              <Input
                id="query-editor-horizon"
                width={10}
                value={q.horizon ?? ''}
                placeholder={DEFAULT_FORECAST_HORIZON}
                onChange={(e: ChangeEvent<HTMLInputElement>) => change({ horizon: e.target.value }, false)}
                onBlur={() => onRunQuery()}
              />
            </InlineField>
            <InlineField
              label="Capacity"
              labelWidth={10}
              tooltip="Each series' capacity in its units (a counter's: per second); with it each series says when it reaches 80 % of it"
            >
              <Input
                id="query-editor-capacity"
                type="number"
                min={0}
                width={14}
                value={q.capacity ?? ''}
                placeholder="none"
                onChange={(e: ChangeEvent<HTMLInputElement>) => {
                  const text = e.target.value.trim();
                  change({ capacity: text === '' ? undefined : Number(text) }, false);
                }}
                onBlur={() => onRunQuery()}
              />
            </InlineField>
          </>
        )}
        <InlineField label="Fields" labelWidth={10} disabled={format !== 'series'}>
          <Stack gap={1} alignItems="center">
            {SERIES_FIELDS.map((field) => (
              <Checkbox
                key={field}
                label={FIELD_LABELS[field]}
                value={fields.includes(field)}
                disabled={format !== 'series'}
                onChange={() => toggleField(field)}
              />
            ))}
          </Stack>
        </InlineField>
      </InlineFieldRow>
    </Stack>
  );
}
