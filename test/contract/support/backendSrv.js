/**
 * Grafana's `BackendSrv.fetch` as a plugin sees it, over the platform's fetch: request options in
 * (`url`, `method`, `params`, `data`, `headers`), an rxjs Observable of `{data, status, ok, …}` out;
 * a non-2xx answer errors with `{status, statusText, data, config}` (data parsed as JSON when it is),
 * as Grafana's FetchError does. Runs in Node and in the browser harness.
 *
 * @param {{ Observable: typeof import('rxjs').Observable, baseUrl?: string }} deps
 */
export function createBackendSrv({ Observable, baseUrl = '' }) {
  const parse = (text) => {
    try {
      return text === '' ? undefined : JSON.parse(text);
    } catch {
      return text;
    }
  };
  const fetchOnce = async (options) => {
    // As Grafana serializes params: an array repeats its key (`match=a&match=b`), an empty one is left out.
    const query = options.params
      ? new URLSearchParams(
          Object.entries(options.params)
            .filter(([, v]) => v !== undefined && v !== null)
            .flatMap(([k, v]) => (Array.isArray(v) ? v.map((item) => [k, String(item)]) : [[k, String(v)]])),
        ).toString()
      : '';
    const url = `${baseUrl}${options.url}${query ? `?${query}` : ''}`;
    const hasBody = options.data !== undefined;
    let res;
    try {
      res = await fetch(url, {
        method: options.method ?? 'GET',
        headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
        body: hasBody
          ? typeof options.data === 'string'
            ? options.data
            : JSON.stringify(options.data)
          : undefined,
      });
    } catch (err) {
      throw { status: -1, statusText: String(err), data: undefined, config: options };
    }
    const data = parse(await res.text());
    const response = {
      data,
      status: res.status,
      statusText: res.statusText,
      ok: res.ok,
      url,
      config: options,
    };
    if (!res.ok) throw { ...response, message: res.statusText };
    return response;
  };
  return {
    requests: [],
    fetch(options) {
      this.requests.push(options);
      return new Observable((subscriber) => {
        fetchOnce(options).then(
          (response) => {
            subscriber.next(response);
            subscriber.complete();
          },
          (error) => subscriber.error(error),
        );
      });
    },
  };
}

/**
 * TemplateSrv.replace for `$name`, `${name}` and `[[name]]`, with scoped variables first and Grafana's
 * format-function convention (value, variable).
 * @param {Record<string, { value: string | string[], multi?: boolean, includeAll?: boolean }>} variables
 */
export function createTemplateSrv(variables = {}) {
  return {
    getVariables: () => [],
    containsTemplate: (text) => /\$\w+|\$\{\w+\}|\[\[\w+\]\]/.test(text ?? ''),
    updateTimeRange: () => {},
    replace(text, scopedVars, format) {
      return (text ?? '').replace(/\$(\w+)|\$\{(\w+)\}|\[\[(\w+)\]\]/g, (whole, a, b, c) => {
        const name = a ?? b ?? c;
        const scoped = scopedVars?.[name];
        const variable = scoped ? { value: scoped.value } : variables[name];
        if (!variable) return whole;
        if (typeof format === 'function') return format(variable.value, variable);
        return Array.isArray(variable.value) ? `{${variable.value.join(',')}}` : String(variable.value);
      });
    },
  };
}
