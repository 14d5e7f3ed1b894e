/**
 * i18next prints an advertisement in the console on its first init() unless its `showSupportNotice`
 * option is false. Grafana's @grafana/i18n (under @grafana/ui) initialises the shared i18next instance
 * itself, on the first translated string, without that option; so it is set on the instance before:
 * externals.js imports this module ahead of @grafana/ui.
 */
import i18next from 'i18next';

i18next.options.showSupportNotice = false;
