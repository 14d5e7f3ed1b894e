import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

/** The box the operator forms (maintenance window, feedback, series sensitivity) open in, over the panel. */
export const popoverStyles = (theme: GrafanaTheme2, width: number) => ({
  form: css({
    position: 'absolute',
    top: theme.spacing(1),
    right: theme.spacing(1),
    zIndex: theme.zIndex.modal,
    width,
    background: theme.colors.background.elevated ?? theme.colors.background.secondary,
    boxShadow: theme.shadows.z3,
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  title: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(0.5) }),
  problem: css({ color: theme.colors.error.text }),
  buttons: css({ display: 'flex', gap: theme.spacing(1), justifyContent: 'flex-end', flexWrap: 'wrap' }),
});
