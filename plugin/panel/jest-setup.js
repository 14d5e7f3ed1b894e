// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import i18next from 'i18next';

// i18next prints an advertisement on its first init() unless its `showSupportNotice` option is false;
// @grafana/ui's @grafana/i18n initialises the shared instance (on the first translated string) without
// it, so the option is set on the instance before any test renders (plugin/demo/src/i18n.js does the
// same for the demo page).
i18next.options.showSupportNotice = false;
