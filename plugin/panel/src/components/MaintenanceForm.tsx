import React, { useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { Button, Field, Input, useStyles2 } from '@grafana/ui';
import type { WindowAnswer, WindowRequest } from '../windows/writer';
import { popoverStyles } from './popover';
import { messageOf } from '../scoring/scorer';

interface Props {
  /** the series the range was selected on */
  name: string;
  labels: Record<string, string>;
  from: number;
  to: number;
  timeZone?: TimeZone;
  /** who is logged in to Grafana, as the default author */
  author: string;
  /** null: no TrafficLens datasource can store windows for this panel (the form says so) */
  create: ((request: WindowRequest) => Promise<WindowAnswer>) | null;
  onClose: () => void;
}

type Status =
  | { kind: 'editing' }
  | { kind: 'saving' }
  | { kind: 'saved'; answer: WindowAnswer }
  | { kind: 'failed'; message: string };

/**
 * A selected range turned into a maintenance window for one series: what it will match, when, who and
 * why. The series' labels become exact matchers; the scorer keeps the window in its store and the
 * series is suppressed (scored and shown, never an alert) while it is active.
 */
export function MaintenanceForm({
  name,
  labels,
  from,
  to,
  timeZone,
  author: defaultAuthor,
  create,
  onClose,
}: Props) {
  const styles = useStyles2(getStyles);
  const [author, setAuthor] = useState(defaultAuthor);
  const [comment, setComment] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'editing' });
  const fmt = (t: number) => dateTimeFormat(t, { format: 'YYYY-MM-DD HH:mm', timeZone });
  const matchers = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  // A window only suppresses what is still to come (the scorer refuses one that has ended).
  const [now] = useState(() => Date.now());
  const ended = to <= now;
  const canSave =
    create !== null && matchers.length > 0 && !ended && author.trim() !== '' && status.kind !== 'saving';

  const save = async () => {
    if (!create) {
      return;
    }
    setStatus({ kind: 'saving' });
    try {
      const answer = await create({ labels, startsAt: from, endsAt: to, author: author.trim(), comment });
      setStatus({ kind: 'saved', answer });
    } catch (err) {
      setStatus({ kind: 'failed', message: messageOf(err) });
    }
  };

  return (
    <div
      className={styles.form}
      role="dialog"
      aria-label="Maintenance window"
      data-testid="trafficlens-maintenance-form"
    >
      <div className={styles.title}>Maintenance window for {name}</div>
      <div className={styles.line} data-testid="trafficlens-maintenance-range">
        {fmt(from)} → {fmt(to)}
      </div>
      <div className={styles.line}>
        matches:{' '}
        <code className={styles.matchers} data-testid="trafficlens-maintenance-matchers">
          {matchers.join(', ') || 'no labels'}
        </code>
      </div>
      {status.kind === 'saved' ? (
        <div className={styles.saved} role="status">
          Window {status.answer.window.id} saved: this series is suppressed (scored, never an alert) while it
          is active.
          {status.answer.warnings.map((w) => (
            <div key={w}>{w}</div>
          ))}
        </div>
      ) : (
        <>
          <Field label="Author">
            <Input value={author} onChange={(e) => setAuthor(e.currentTarget.value)} aria-label="Author" />
          </Field>
          <Field label="Comment" description="why: a ticket, a change">
            <Input value={comment} onChange={(e) => setComment(e.currentTarget.value)} aria-label="Comment" />
          </Field>
          {create === null && (
            <div className={styles.problem} role="alert">
              No TrafficLens datasource here can store windows: query one, or choose one under “Score with”.
            </div>
          )}
          {ended && (
            <div className={styles.problem} role="alert">
              This range has ended: a window suppresses what is still to come. Select a range that reaches
              past now (a dashboard time range such as now-6h to now+2h shows the next hours).
            </div>
          )}
          {matchers.length === 0 && (
            <div className={styles.problem} role="alert">
              This series has no labels to match it by.
            </div>
          )}
          {status.kind === 'failed' && (
            <div className={styles.problem} role="alert">
              Not saved: {status.message}
            </div>
          )}
        </>
      )}
      <div className={styles.buttons}>
        {status.kind !== 'saved' && (
          <Button size="sm" onClick={save} disabled={!canSave}>
            {status.kind === 'saving' ? 'Saving…' : 'Create window'}
          </Button>
        )}
        <Button size="sm" variant="secondary" onClick={onClose}>
          {status.kind === 'saved' ? 'Close' : 'Cancel'}
        </Button>
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...popoverStyles(theme, 380),
  line: css({ marginBottom: theme.spacing(0.5), overflowWrap: 'anywhere' }),
  matchers: css({ whiteSpace: 'normal', overflowWrap: 'anywhere' }),
  saved: css({ color: theme.colors.success.text, margin: theme.spacing(1, 0) }),
  problem: css({ color: theme.colors.error.text, marginBottom: theme.spacing(1) }),
});
