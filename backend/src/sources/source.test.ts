import { FakeSource } from './fake.js';
import { matches, parseMatcher, seriesKey, type LabelMatcher } from './source.js';

describe('label matchers', () => {
  test.each([
    ['site="ams"', { name: 'site', op: '=', value: 'ams' }],
    ['link =~ "transit-.*"', { name: 'link', op: '=~', value: 'transit-.*' }],
    ['direction!="out"', { name: 'direction', op: '!=', value: 'out' }],
    ['link!~"ix|peering"', { name: 'link', op: '!~', value: 'ix|peering' }],
    ['name="say \\"hi\\""', { name: 'name', op: '=', value: 'say "hi"' }],
  ])('parse %s', (text, expected) => {
    expect(parseMatcher(text)).toEqual(expected);
  });

  test.each([
    ['site=ams', 'not of the form'],
    ['1site="ams"', 'not of the form'],
    ['', 'not of the form'],
    ['link=~"("', 'invalid regex'],
    // Pasted into ^(?:…)$ this closed the group and matched any value starting with a.
    ['link=~"a)|(b"', 'invalid regex'],
    ['link=~"(?!x).*"', 'invalid regex'],
  ])('reject %s naming the problem', (text, message) => {
    expect(parseMatcher(text)).toEqual(expect.stringContaining(message));
  });

  test('regexes are anchored and an absent label matches as empty, as in PromQL', () => {
    const m = (text: string) => parseMatcher(text) as LabelMatcher;
    expect(matches({ link: 'transit-1' }, [m('link=~"transit"')])).toBe(false);
    expect(matches({ link: 'transit-1' }, [m('link=~"transit.*"')])).toBe(true);
    expect(matches({ site: 'ams' }, [m('link=""')])).toBe(true);
    expect(matches({ site: 'ams' }, [m('site!="ams"')])).toBe(false);
    expect(matches({ site: 'ams' }, [])).toBe(true);
    // Go's regexp as Prometheus compiles it: . matches a newline too.
    expect(matches({ job: 'a\nb' }, [m('job=~"a.b"')])).toBe(true);
  });

  test('seriesKey does not depend on label order', () => {
    expect(seriesKey({ a: '1', b: '2' })).toBe(seriesKey({ b: '2', a: '1' }));
    expect(seriesKey({ a: '1,b=2' })).not.toBe(seriesKey({ a: '1', b: '2' }));
  });
});

describe('FakeSource', () => {
  const req = { start: 0, end: 100, step: 10, matchers: [] };

  test('returns the points added within the range, sorted, per series', async () => {
    const fake = new FakeSource().add({ s: 'a' }, [
      [30, 3],
      [10, 1],
      [200, 9],
    ]);
    fake.add({ s: 'b' }, [[20, null]]);
    expect(await fake.fetch(req)).toEqual([
      { labels: { s: 'a' }, timestamps: [10, 30], values: [1, 3] },
      { labels: { s: 'b' }, timestamps: [20], values: [null] },
    ]);
    expect(fake.requests).toEqual([req]);
  });

  test('fails while an error is set and recovers when it is cleared', async () => {
    const fake = new FakeSource().add({ s: 'a' }, [[10, 1]]);
    fake.setError(new Error('connection refused'));
    await expect(fake.fetch(req)).rejects.toThrow('connection refused');
    fake.setError(null);
    await expect(fake.fetch(req)).resolves.toHaveLength(1);
  });

  test('reset forgets series, errors and requests; remove drops one series', async () => {
    const fake = new FakeSource().add({ s: 'a' }, [[10, 1]]).add({ s: 'b' }, [[10, 1]]);
    fake.remove({ s: 'a' });
    expect((await fake.fetch(req)).map((s) => s.labels.s)).toEqual(['b']);
    fake.setError(new Error('x')).reset();
    expect(await fake.fetch(req)).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  test('a gated fetch waits for the gate and rejects when aborted', async () => {
    let open!: () => void;
    const fake = new FakeSource().add({ s: 'a' }, [[10, 1]]).setGate(new Promise<void>((r) => (open = r)));
    const pending = fake.fetch(req);
    const controller = new AbortController();
    const aborted = fake.fetch({ ...req, signal: controller.signal });
    controller.abort(new Error('timeout'));
    await expect(aborted).rejects.toThrow('timeout');
    open();
    await expect(pending).resolves.toHaveLength(1);
  });
});
