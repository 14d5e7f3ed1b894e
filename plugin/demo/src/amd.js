/* global window, document -- runs in the page */
/**
 * Loads a built plugin (`/public/plugins/<id>/module.js`, AMD) the way Grafana's SystemJS does: its
 * `define(deps, factory)` gets Grafana's shared modules from window.__grafanaExternals (externals.js),
 * and `module` is the plugin's own URL, from which webpack derives the public path of its assets.
 */
const plugins = new Map();

/** The plugin's exports (`{ plugin }`), loaded once per id. */
export function loadPlugin(id) {
  if (!plugins.has(id)) {
    plugins.set(
      id,
      new Promise((resolve, reject) => {
        const url = `/public/plugins/${id}/module.js`;
        const ext = window.__grafanaExternals;
        // One define at a time: scripts run in order, and each plugin calls define once when it runs.
        window.define = (deps, factory) => {
          try {
            const resolved = deps.map((dep) => {
              if (dep === 'module') return { uri: url };
              if (!(dep in ext)) throw new Error(`${id} imports ${dep}, which Grafana does not provide`);
              return ext[dep];
            });
            resolve(factory(...resolved));
          } catch (err) {
            reject(err);
          }
        };
        window.define.amd = {};
        const script = document.createElement('script');
        script.src = url;
        script.onerror = () => reject(new Error(`cannot load ${url}`));
        document.head.appendChild(script);
      }),
    );
  }
  return plugins.get(id);
}
