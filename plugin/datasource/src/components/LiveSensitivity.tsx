import React, { useState, type ChangeEvent } from 'react';
import { Button, InlineField, InlineFieldRow, Input, Stack, Text } from '@grafana/ui';
import { config } from '@grafana/runtime';
import { SENSITIVITY_SCALE } from '../api/sensitivityScale.gen';
import type { PreviewResponse } from '../api/types';
import type { DataSource } from '../datasource';
import { sensitivityProblem } from '../types';

interface Props {
  datasource: Pick<DataSource, 'previewJobAlerts' | 'setJobSensitivity'>;
  job: string;
  /** what the job's series alert at now (the job's status) */
  current: number;
  /** the query's label filter: the preview counts the series the query shows */
  filter?: string;
  /** called once the job's sensitivity has changed (to reload the jobs' status) */
  onApplied: () => void;
}

type State =
  | { kind: 'idle' }
  | { kind: 'working' }
  | { kind: 'previewed'; answer: PreviewResponse; at: number }
  | { kind: 'applied'; at: number }
  | { kind: 'failed'; message: string };

/**
 * The job's live sensitivity, the one that alerts: preview how many alerts another value would have sent
 * over the retained history (replayed causally, as the job scores), then apply it to the job. What the
 * panel then shows for the job's series is what alerts.
 */
export function LiveSensitivity({ datasource, job, current, filter, onApplied }: Props) {
  const [text, setText] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const value = text.trim() === '' ? undefined : Number(text);
  const problem = value === undefined ? undefined : sensitivityProblem(value);
  const ready = value !== undefined && !problem && state.kind !== 'working';

  const preview = async () => {
    if (value === undefined) {
      return;
    }
    setState({ kind: 'working' });
    try {
      setState({
        kind: 'previewed',
        answer: await datasource.previewJobAlerts(job, value, filter),
        at: value,
      });
    } catch (err) {
      setState({ kind: 'failed', message: messageOf(err) });
    }
  };
  const apply = async () => {
    if (value === undefined) {
      return;
    }
    setState({ kind: 'working' });
    try {
      await datasource.setJobSensitivity(
        job,
        value,
        config.bootData?.user?.login ?? '',
        'set from the query editor',
      );
      setState({ kind: 'applied', at: value });
      onApplied();
    } catch (err) {
      setState({ kind: 'failed', message: messageOf(err) });
    }
  };

  return (
    <InlineFieldRow>
      <InlineField
        label="Live sensitivity"
        labelWidth={16}
        invalid={Boolean(problem)}
        error={problem}
        tooltip="The sensitivity the job alerts at (its series without their own). Preview replays the job's retained history at another value, as it scores live; Apply changes the job from each series' next point."
      >
        <Input
          id="query-editor-live-sensitivity"
          aria-label="Live sensitivity"
          type="number"
          min={SENSITIVITY_SCALE.min}
          max={SENSITIVITY_SCALE.max}
          width={10}
          placeholder={String(current)}
          value={text}
          onChange={(e: ChangeEvent<HTMLInputElement>) => {
            setText(e.target.value);
            setState({ kind: 'idle' });
          }}
        />
      </InlineField>
      <Stack gap={1} alignItems="center">
        <Button size="sm" variant="secondary" onClick={preview} disabled={!ready}>
          Preview alerts
        </Button>
        <Button size="sm" onClick={apply} disabled={!ready || value === current}>
          Apply to {job}
        </Button>
        <span data-testid="live-sensitivity-status" role="status">
          {state.kind === 'working' && <Text color="secondary">…</Text>}
          {state.kind === 'previewed' && (
            <Text color="secondary">
              {state.answer.candidates.find((c) => c.sensitivity === state.at)?.summary ??
                `at ${state.at}: no answer`}
            </Text>
          )}
          {state.kind === 'applied' && (
            <Text color="success">
              {job} alerts at {state.at} from each series’ next point
            </Text>
          )}
          {state.kind === 'failed' && <Text color="error">{state.message}</Text>}
        </span>
      </Stack>
    </InlineFieldRow>
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
