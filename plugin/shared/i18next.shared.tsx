/**
 * i18next's console advertisement is off in the tests (jest-setup.js sets its showSupportNotice option):
 * loading @grafana/ui and rendering a component that translates initialises i18next, silently. Both
 * plugins' jest-setup.js do it, so both run this test: each from its src/components/i18next.test.tsx.
 */
import React from 'react';
import { render, screen } from '@testing-library/react';
import i18next from 'i18next';

export const testI18nextQuiet = () =>
  test('@grafana/ui initialises i18next without its advertisement', async () => {
    const info = jest.spyOn(console, 'info').mockImplementation(() => {});
    expect(Boolean(i18next.isInitializing || i18next.isInitialized)).toBe(false);
    // Loaded only now, so that whatever it initialises at import time happens under the spy.
    const { Alert } = await import('@grafana/ui');
    render(<Alert title="Scorer unreachable" onRemove={() => {}} />);
    expect(screen.getByRole('button', { name: 'Close alert' })).toBeInTheDocument();
    expect(Boolean(i18next.isInitializing || i18next.isInitialized)).toBe(true);
    expect(info.mock.calls.flat().join('\n')).not.toMatch(/i18next|locize/i);
    info.mockRestore();
  });
