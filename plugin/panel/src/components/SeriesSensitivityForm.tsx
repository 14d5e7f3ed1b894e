import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Field, Input, useStyles2 } from '@grafana/ui';
import type { SeriesSensitivityWriter } from '../windows/writer';
import { SENSITIVITY_SCALE } from '../frames/sensitivityScale.gen';
import { popoverStyles } from './popover';

interface Props {
  name: string;
  job: string;
  labels: Record<string, string>;
  /** what the series alerts at now (the job's answer), if known */
  current?: number;
  author: string;
  /** null: no TrafficLens datasource of this panel takes series settings (the form says so) */
  writer: SeriesSensitivityWriter | null;
  onClose: () => void;
  /** called once the series' setting changed (to run the query again) */
  onApplied: () => void;
}

type Status =
  | { kind: 'idle' }
  | { kind: 'working' }
  | { kind: 'previewed'; summary: string }
  | { kind: 'applied'; text: string }
  | { kind: 'failed'; message: string };

/**
 * One series' live sensitivity, the one its alerts follow: preview what another value would have alerted
 * over the series' retained history (replayed as the job scores), set it, or go back to the job's.
 */
export function SeriesSensitivityForm({
  name,
  job,
  labels,
  current,
  author,
  writer,
  onClose,
  onApplied,
}: Props) {
  const styles = useStyles2(getStyles);
  const [text, setText] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const value = text.trim() === '' ? undefined : Number(text);
  const valid =
    value !== undefined &&
    Number.isFinite(value) &&
    value >= SENSITIVITY_SCALE.min &&
    value <= SENSITIVITY_SCALE.max;
  const busy = status.kind === 'working';

  const run = async (work: () => Promise<Status>) => {
    setStatus({ kind: 'working' });
    try {
      setStatus(await work());
    } catch (err) {
      setStatus({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  };
  const preview = () =>
    run(async () => {
      const answer = await writer!.preview(job, labels, value!);
      return {
        kind: 'previewed',
        summary: answer.candidates.find((c) => c.sensitivity === value)?.summary ?? '',
      };
    });
  const apply = (sensitivity: number | null) =>
    run(async () => {
      await writer!.set(job, labels, sensitivity, author);
      onApplied();
      return {
        kind: 'applied',
        text:
          sensitivity === null
            ? 'this series follows the job’s sensitivity again from its next point'
            : `this series alerts at ${sensitivity} from its next point`,
      };
    });

  return (
    <div
      className={styles.form}
      role="dialog"
      aria-label="Series sensitivity"
      data-testid="trafficlens-series-form"
    >
      <div className={styles.title}>{name}</div>
      <div className={styles.line}>
        alerts at sensitivity {current ?? 'the job’s'} (job {job}); 0 flags only extreme deviations, 100 small
        ones
      </div>
      <Field label="Sensitivity of this series" invalid={value !== undefined && !valid} error="0 to 100">
        <Input
          type="number"
          aria-label="Sensitivity of this series"
          value={text}
          placeholder={current !== undefined ? String(current) : ''}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setStatus({ kind: 'idle' });
          }}
        />
      </Field>
      {writer === null && (
        <div className={styles.problem} role="alert">
          No TrafficLens datasource here takes series settings: query the job through one.
        </div>
      )}
      <div className={styles.status} data-testid="trafficlens-series-status" role="status">
        {status.kind === 'previewed' && status.summary}
        {status.kind === 'applied' && status.text}
        {status.kind === 'failed' && <span className={styles.problem}>{status.message}</span>}
      </div>
      <div className={styles.buttons}>
        <Button size="sm" variant="secondary" disabled={!writer || !valid || busy} onClick={preview}>
          Preview alerts
        </Button>
        <Button size="sm" disabled={!writer || !valid || busy} onClick={() => apply(value!)}>
          Set for this series
        </Button>
        <Button size="sm" variant="secondary" disabled={!writer || busy} onClick={() => apply(null)}>
          Use the job’s
        </Button>
        <Button size="sm" variant="secondary" onClick={onClose}>
          Close
        </Button>
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...popoverStyles(theme, 420),
  line: css({ marginBottom: theme.spacing(1), color: theme.colors.text.secondary }),
  status: css({
    minHeight: theme.spacing(2.5),
    marginBottom: theme.spacing(1),
    color: theme.colors.text.secondary,
  }),
});
