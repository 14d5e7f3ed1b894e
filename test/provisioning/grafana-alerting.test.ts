/**
 * provisioning/alerting/trafficlens.yaml against the structure Grafana's file provisioning expects
 * (pkg/services/provisioning/alerting: AlertRuleGroupV1 → AlertRuleV1 → QueryV1, and the checks Grafana
 * applies when it loads them: uid format, condition among the refIds, states, durations on the 10 s
 * evaluation grid, expressions on the __expr__ datasource referring to existing refIds), and against
 * the Prometheus rules it mirrors: same alerts, thresholds, `for` and severities.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO } from '../lib/tools.js';

const read = (path: string): unknown => parse(readFileSync(join(REPO, path), 'utf8'));

const DURATION = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const durationMs = (text: string): number => {
  const unit: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
  let ms = 0;
  for (const [, n, u] of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(n) * unit[u];
  return ms;
};

const Query = z
  .object({
    refId: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
    queryType: z.string().optional(),
    relativeTimeRange: z.object({ from: z.number().int().min(0), to: z.number().int().min(0) }).strict(),
    datasourceUid: z.string().min(1),
    model: z.record(z.string(), z.unknown()),
  })
  .strict();

const Rule = z
  .object({
    uid: z
      .string()
      .max(40)
      .regex(/^[a-zA-Z0-9\-_]+$/),
    title: z.string().min(1).max(190),
    condition: z.string().min(1),
    data: z.array(Query).min(1),
    dashboardUid: z.string().optional(),
    panelId: z.number().int().optional(),
    noDataState: z.enum(['Alerting', 'NoData', 'OK', 'KeepLast']),
    execErrState: z.enum(['Alerting', 'Error', 'OK', 'KeepLast']),
    for: z.string().regex(DURATION),
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    isPaused: z.boolean().optional(),
  })
  .strict();

const Group = z
  .object({
    orgId: z.number().int().min(1),
    name: z.string().min(1),
    folder: z.string().min(1),
    interval: z.string().regex(DURATION),
    rules: z.array(Rule).min(1),
  })
  .strict();

const AlertingFile = z.object({ apiVersion: z.literal(1), groups: z.array(Group).min(1) }).strict();

const DatasourcesFile = z.object({
  apiVersion: z.literal(1),
  datasources: z.array(z.object({ name: z.string(), uid: z.string(), type: z.string() }).passthrough()),
});

const PromRules = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(
        z.object({
          alert: z.string(),
          expr: z.string(),
          for: z.string(),
          labels: z.record(z.string(), z.string()),
        }),
      ),
    }),
  ),
});

const EXPRESSION_TYPES = ['math', 'reduce', 'resample', 'classic_conditions', 'threshold'];

const file = AlertingFile.parse(read('provisioning/alerting/trafficlens.yaml'));
const rules = file.groups.flatMap((g) => g.rules.map((rule) => ({ group: g, rule })));

describe('provisioning/alerting/trafficlens.yaml (Grafana alert rule provisioning)', () => {
  test('has the file structure Grafana provisions: apiVersion 1, groups with rules, queries and models', () => {
    expect(rules.length).toBeGreaterThan(0);
  });

  test('uids are unique, and titles unique within a folder', () => {
    const uids = rules.map(({ rule }) => rule.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const titles = rules.map(({ group, rule }) => `${group.folder}/${rule.title}`);
    expect(new Set(titles).size).toBe(titles.length);
  });

  test.each(file.groups.map((g) => [g.name, g] as const))(
    'group %s evaluates on the 10 s grid and its rules wait a whole number of evaluations',
    (_name, group) => {
      const interval = durationMs(group.interval);
      expect(interval % 10_000).toBe(0);
      for (const rule of group.rules) expect(durationMs(rule.for) % interval).toBe(0);
    },
  );

  test.each(rules.map(({ rule }) => [rule.title, rule] as const))(
    '%s: its condition is one of its refIds, queries hit the Prometheus datasource, expressions refer to existing refIds',
    (_title, rule) => {
      const datasources = DatasourcesFile.parse(read('provisioning/datasources/prometheus.yaml')).datasources;
      const prometheusUids = datasources.filter((d) => d.type === 'prometheus').map((d) => d.uid);
      const refIds = rule.data.map((q) => q.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      expect(refIds).toContain(rule.condition);
      for (const q of rule.data) {
        expect(q.model.refId).toBe(q.refId);
        if (q.datasourceUid === '__expr__') {
          expect(EXPRESSION_TYPES).toContain(q.model.type);
          const expression = String(q.model.expression ?? '');
          const used = [...expression.matchAll(/\$\{?([A-Za-z][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]);
          if (q.model.type !== 'math') used.push(expression);
          expect(used.length).toBeGreaterThan(0);
          for (const ref of used) expect(refIds.filter((r) => r !== q.refId)).toContain(ref);
        } else {
          expect(prometheusUids).toContain(q.datasourceUid);
          expect(typeof q.model.expr).toBe('string');
          expect(q.model.instant).toBe(true);
          expect(q.relativeTimeRange.from).toBeGreaterThan(q.relativeTimeRange.to);
        }
      }
      const condition = rule.data.find((q) => q.refId === rule.condition);
      expect(condition?.datasourceUid).toBe('__expr__');
      expect(rule.labels?.severity).toMatch(/^(warning|critical)$/);
      expect(rule.annotations?.summary).toBeTruthy();
    },
  );

  test('mirrors the Prometheus rules: same alerts, thresholds, for and severities', () => {
    const prom = PromRules.parse(read('provisioning/prometheus/rules/trafficlens.rules.yml'));
    const promRules = prom.groups.flatMap((g) => g.rules);
    expect(rules.map(({ rule }) => rule.title).sort()).toEqual(promRules.map((r) => r.alert).sort());
    for (const p of promRules) {
      const g = rules.find(({ rule }) => rule.title === p.alert)!.rule;
      expect({ alert: p.alert, for: g.for, severity: g.labels?.severity }).toEqual({
        alert: p.alert,
        for: p.for,
        severity: p.labels.severity,
      });
      const promThreshold = /trafficlens_anomaly_score\s*>=\s*(\d+)/.exec(p.expr)?.[1];
      if (promThreshold) {
        const condition = g.data.find((q) => q.refId === g.condition)!;
        expect(condition.model.expression).toBe(`$A >= ${promThreshold}`);
        expect(g.data.find((q) => q.refId === 'A')?.model.expr).toContain('trafficlens_anomaly_score');
      }
    }
  });

  test('a series in a maintenance window never fires: every rule the Prometheus file keeps from suppressed series does so here too', () => {
    const prom = PromRules.parse(read('provisioning/prometheus/rules/trafficlens.rules.yml'));
    const skipping = prom.groups
      .flatMap((g) => g.rules)
      .filter((r) => /unless\b.*trafficlens_suppressed\b/.test(r.expr));
    expect(skipping.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['TrafficLensAnomaly', 'TrafficLensAnomalyCritical']),
    );
    for (const p of skipping) {
      const g = rules.find(({ rule }) => rule.title === p.alert)!.rule;
      const query = String(g.data.find((q) => q.refId === 'A')?.model.expr);
      expect([p.alert, query]).toEqual([
        p.alert,
        expect.stringMatching(/ unless .*trafficlens_suppressed.*== 1$/),
      ]);
    }
  });

  test('anomaly rules link to a panel of a provisioned dashboard', () => {
    const dashboards = ['trafficlens-noc', 'trafficlens-overview', 'trafficlens-datasource'].map(
      (name) => read(`provisioning/dashboards/${name}.json`) as { uid: string; panels: { id: number }[] },
    );
    for (const { rule } of rules.filter(({ rule }) => rule.title.startsWith('TrafficLensAnomaly'))) {
      const dashboard = dashboards.find((d) => d.uid === rule.dashboardUid);
      expect([rule.title, dashboard?.uid]).toEqual([rule.title, rule.dashboardUid]);
      expect(dashboard!.panels.map((p) => p.id)).toContain(rule.panelId);
    }
  });

  test('anomaly rules quote expected vs actual and the band from the joined queries', () => {
    for (const { rule } of rules.filter(({ rule }) => rule.title.startsWith('TrafficLensAnomaly'))) {
      const description = rule.annotations?.description ?? '';
      for (const ref of ['$values.V', '$values.E', '$values.L', '$values.U', '$values.A']) {
        expect(description).toContain(ref);
      }
      expect(rule.data.map((q) => q.refId).sort()).toEqual(['A', 'C', 'E', 'L', 'U', 'V']);
    }
  });
});
