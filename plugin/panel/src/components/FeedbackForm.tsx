import React, { useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { Button, Field, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import type { PanelEpisode } from '../frames/parse';
import type { FeedbackAnswer, FeedbackRequest } from '../windows/writer';
import { popoverStyles } from './popover';
import { messageOf } from '../scoring/scorer';

type Verdict = FeedbackRequest['verdict'];

interface Props {
  name: string;
  job: string;
  labels: Record<string, string>;
  episode: PanelEpisode;
  timeZone?: TimeZone;
  /** who is logged in to Grafana, as the default author */
  author: string;
  /** null: no TrafficLens datasource of this panel takes feedback (the form says so) */
  send: ((request: FeedbackRequest) => Promise<FeedbackAnswer>) | null;
  /** undoes saved feedback by its id; null: the datasource cannot (no Undo button) */
  undo: ((id: string) => Promise<void>) | null;
  onClose: () => void;
}

const VERDICTS: Array<{ label: string; value: Verdict; description: string }> = [
  {
    label: 'False positive',
    value: 'false_positive',
    description: 'the series learns to tolerate this deviation (same direction, same time of its season)',
  },
  {
    label: 'True incident',
    value: 'true_incident',
    description: 'kept out of the baselines and model training, and kept as a label',
  },
];

type Status =
  | { kind: 'editing' }
  | { kind: 'sending' }
  | { kind: 'sent'; answer: FeedbackAnswer; undoing?: boolean; undoFailed?: string }
  | { kind: 'undone'; id: string }
  | { kind: 'failed'; message: string };

/**
 * An operator's verdict on one episode of a continuous job's series, sent to the scorer through the
 * panel's TrafficLens datasource; the scorer's answer says what it changes. Once saved it can be undone
 * from here (the feedback API's DELETE, docs/operators.md): the series stops acting on it.
 */
export function FeedbackForm({
  name,
  job,
  labels,
  episode,
  timeZone,
  author: defaultAuthor,
  send,
  undo,
  onClose,
}: Props) {
  const styles = useStyles2(getStyles);
  const [verdict, setVerdict] = useState<Verdict>('false_positive');
  const [note, setNote] = useState('');
  const [author, setAuthor] = useState(defaultAuthor);
  const [status, setStatus] = useState<Status>({ kind: 'editing' });
  const fmt = (t: number) => dateTimeFormat(t, { format: 'YYYY-MM-DD HH:mm', timeZone });
  // The scorer judges closed episodes only for a false positive (an open one is still growing).
  const openFalsePositive = episode.open && verdict === 'false_positive';
  const canSend = send !== null && !openFalsePositive && status.kind !== 'sending';

  const submit = async () => {
    if (!send) {
      return;
    }
    setStatus({ kind: 'sending' });
    try {
      const answer = await send({
        job,
        labels,
        episodeStart: episode.start,
        ...(episode.open ? {} : { episodeEnd: episode.end }),
        verdict,
        note,
        author: author.trim(),
      });
      setStatus({ kind: 'sent', answer });
    } catch (err) {
      setStatus({ kind: 'failed', message: messageOf(err) });
    }
  };

  const undoSent = async () => {
    if (!undo || status.kind !== 'sent') {
      return;
    }
    const { answer } = status;
    setStatus({ kind: 'sent', answer, undoing: true });
    try {
      await undo(answer.feedback.id);
      setStatus({ kind: 'undone', id: answer.feedback.id });
    } catch (err) {
      setStatus({ kind: 'sent', answer, undoFailed: messageOf(err) });
    }
  };

  return (
    <div
      className={styles.form}
      role="dialog"
      aria-label="Episode feedback"
      data-testid="trafficlens-feedback-form"
    >
      <div className={styles.title}>
        {name}: {episode.severityLabel} episode {fmt(episode.start)} →{' '}
        {episode.open ? 'now' : fmt(episode.end)}
      </div>
      <div className={styles.line}>
        peak {episode.peakScore.toFixed(2)}: {episode.explanation}
      </div>
      {status.kind === 'sent' ? (
        <>
          <div className={styles.sent} role="status">
            Feedback {status.answer.feedback.id} saved. {status.answer.effect}
          </div>
          {status.undoFailed !== undefined && (
            <div className={styles.problem} role="alert">
              Not undone: {status.undoFailed}
            </div>
          )}
        </>
      ) : status.kind === 'undone' ? (
        <div className={styles.sent} role="status">
          Feedback {status.id} undone: the series no longer acts on it.
        </div>
      ) : (
        <>
          <Field label="Verdict" description={VERDICTS.find((v) => v.value === verdict)?.description}>
            <RadioButtonGroup
              options={VERDICTS.map(({ label, value }) => ({ label, value }))}
              value={verdict}
              onChange={(v) => setVerdict(v)}
              size="sm"
            />
          </Field>
          <Field label="Note">
            <Input value={note} onChange={(e) => setNote(e.currentTarget.value)} aria-label="Note" />
          </Field>
          <Field label="Author">
            <Input value={author} onChange={(e) => setAuthor(e.currentTarget.value)} aria-label="Author" />
          </Field>
          {send === null && (
            <div className={styles.problem} role="alert">
              No TrafficLens datasource here takes feedback: query the job through one.
            </div>
          )}
          {openFalsePositive && (
            <div className={styles.problem} role="alert">
              This episode is still open: mark it a false positive once it has ended (a true incident can be
              marked now).
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
        {status.kind !== 'sent' && status.kind !== 'undone' && (
          <Button size="sm" onClick={submit} disabled={!canSend}>
            {status.kind === 'sending' ? 'Sending…' : 'Send feedback'}
          </Button>
        )}
        {status.kind === 'sent' && undo !== null && (
          <Button size="sm" variant="destructive" onClick={undoSent} disabled={status.undoing === true}>
            {status.undoing ? 'Undoing…' : 'Undo'}
          </Button>
        )}
        <Button size="sm" variant="secondary" onClick={onClose}>
          {status.kind === 'sent' || status.kind === 'undone' ? 'Close' : 'Cancel'}
        </Button>
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...popoverStyles(theme, 420),
  line: css({ marginBottom: theme.spacing(1), color: theme.colors.text.secondary, overflowWrap: 'anywhere' }),
  sent: css({ color: theme.colors.success.text, margin: theme.spacing(1, 0) }),
  problem: css({ color: theme.colors.error.text, marginBottom: theme.spacing(1) }),
});
