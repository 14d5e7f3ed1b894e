// Jest setup provided by Grafana scaffolding
/* global HTMLCanvasElement, Element, HTMLElement -- jsdom globals */
import './.config/jest-setup';
import i18next from 'i18next';

// i18next prints an advertisement on its first init() unless its `showSupportNotice` option is false;
// @grafana/ui's @grafana/i18n initialises the shared instance (on the first translated string) without
// it, so the option is set on the instance before any test renders (plugin/demo/src/i18n.js does the
// same for the demo page).
i18next.options.showSupportNotice = false;

// jsdom has no canvas; @grafana/ui's Combobox measures its option texts with a 2D context.
HTMLCanvasElement.prototype.getContext = () => ({
  font: '',
  measureText: (text) => ({ width: text.length * 7 }),
});

// …nor the observers its menus use to show scroll shadows and fit the list.
class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
global.IntersectionObserver = global.IntersectionObserver ?? NoopObserver;
global.ResizeObserver = global.ResizeObserver ?? NoopObserver;

// Combobox virtualises its options and renders only those that fit: jsdom lays nothing out, so give
// elements a size, as Grafana's own Combobox tests do (@tanstack/virtual-core reads clientWidth/Height).
Object.defineProperty(Element.prototype, 'getBoundingClientRect', {
  configurable: true,
  value: () => ({ width: 120, height: 120, top: 0, left: 0, bottom: 0, right: 0, x: 0, y: 0, toJSON() {} }),
});
for (const prop of ['clientHeight', 'clientWidth']) {
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => 120 });
}
