import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

export type MessageKind = 'empty' | 'error' | 'loading' | 'learning' | 'info';

interface Props {
  kind: MessageKind;
  title: string;
  detail?: string;
}

/** A panel-filling state (empty, error, loading): never a blank panel. */
export function PanelMessage({ kind, title, detail }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <div
      className={styles.box}
      data-testid={`trafficlens-state-${kind}`}
      role={kind === 'error' ? 'alert' : 'status'}
    >
      <div className={kind === 'error' ? styles.error : styles.title}>{title}</div>
      {detail && <div className={styles.detail}>{detail}</div>}
    </div>
  );
}

/** A one-line notice above the drawing (learning series, plain series without scores, skipped frames). */
export function PanelNotice({ children, testId }: { children: React.ReactNode; testId: string }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.notice} data-testid={testId}>
      {children}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({
    height: '100%',
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    textAlign: 'center',
    padding: theme.spacing(2),
    gap: theme.spacing(1),
  }),
  title: css({ fontSize: theme.typography.h4.fontSize, color: theme.colors.text.primary }),
  error: css({ fontSize: theme.typography.h4.fontSize, color: theme.colors.error.text }),
  detail: css({ color: theme.colors.text.secondary, maxWidth: 640 }),
  notice: css({
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    padding: theme.spacing(0.25, 1),
    borderLeft: `3px solid ${theme.colors.info.main}`,
    background: theme.colors.background.secondary,
    marginBottom: theme.spacing(0.5),
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
});
