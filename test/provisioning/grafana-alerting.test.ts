/**
 * provisioning/alerting/trafficlens.yaml against the structure Grafana's file provisioning expects
 * (pkg/services/provisioning/alerting: AlertRuleGroupV1 → AlertRuleV1 → QueryV1, and the checks Grafana
 * applies when it loads them: uid format, condition among the refIds, states, durations on the 10 s
 * evaluation grid, expressions on the __expr__ datasource referring to existing refIds), and against
 * the Prometheus rules it mirrors: same alerts, thresholds, `for` and severities. And
 * provisioning/alerting/notifications.yaml (contact points, the notification policy tree) against the
 * structure Grafana loads and the Alertmanager routing it mirrors.
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

/** Each Grafana rule file and the Prometheus rules file it mirrors. */
const MIRRORS = [
  ['provisioning/alerting/trafficlens.yaml', 'provisioning/prometheus/rules/trafficlens.rules.yml'],
  ['provisioning/alerting/forecast.yaml', 'provisioning/prometheus/rules/forecast.rules.yml'],
] as const;
const files = MIRRORS.map(([grafana]) => AlertingFile.parse(read(grafana)));
const file = { groups: files.flatMap((f) => f.groups) };
const rules = file.groups.flatMap((g) => g.rules.map((rule) => ({ group: g, rule })));
const readPromRules = () =>
  MIRRORS.map(([, prometheus]) => PromRules.parse(read(prometheus))).reduce((all, f) => ({
    groups: [...all.groups, ...f.groups],
  }));

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
    const prom = readPromRules();
    const promRules = prom.groups.flatMap((g) => g.rules);
    expect(rules.map(({ rule }) => rule.title).sort()).toEqual(promRules.map((r) => r.alert).sort());
    for (const p of promRules) {
      const g = rules.find(({ rule }) => rule.title === p.alert)!.rule;
      expect({ alert: p.alert, for: g.for, severity: g.labels?.severity }).toEqual({
        alert: p.alert,
        for: p.for,
        severity: p.labels.severity,
      });
      const saturation = /^(trafficlens_forecast_seconds_to_threshold)\s*<=\s*(\d+)$/.exec(p.expr);
      if (saturation) {
        const condition = g.data.find((q) => q.refId === g.condition)!;
        expect(condition.model.expression).toBe(`$A <= ${saturation[2]}`);
        expect(g.data.find((q) => q.refId === 'A')?.model.expr).toBe(saturation[1]);
      }
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

/** Grafana's ContactPointV1 / ReceiverV1 and NotificationPolicyV1 (pkg/services/provisioning/alerting). */
const Receiver = z
  .object({
    uid: z
      .string()
      .max(40)
      .regex(/^[a-zA-Z0-9\-_]+$/),
    type: z.enum(['webhook', 'slack', 'email', 'pagerduty', 'opsgenie', 'teams', 'prometheus-alertmanager']),
    settings: z.record(z.string(), z.unknown()),
    disableResolveMessage: z.boolean().optional(),
  })
  .strict();
const ContactPoint = z
  .object({ orgId: z.number().int().min(1), name: z.string().min(1), receivers: z.array(Receiver).min(1) })
  .strict();
const ObjectMatcher = z.tuple([z.string().min(1), z.enum(['=', '!=', '=~', '!~']), z.string()]);
type Route = {
  receiver?: string;
  object_matchers?: [string, string, string][];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  continue?: boolean;
  routes?: Route[];
};
const Route: z.ZodType<Route> = z.lazy(() =>
  z
    .object({
      receiver: z.string().optional(),
      object_matchers: z.array(ObjectMatcher).optional(),
      group_by: z.array(z.string()).optional(),
      group_wait: z.string().regex(DURATION).optional(),
      group_interval: z.string().regex(DURATION).optional(),
      repeat_interval: z.string().regex(DURATION).optional(),
      continue: z.boolean().optional(),
      routes: z.array(Route).optional(),
    })
    .strict(),
);
const Policy = z
  .object({
    orgId: z.number().int().min(1),
    receiver: z.string().min(1),
    group_by: z.array(z.string()).min(1),
    group_wait: z.string().regex(DURATION),
    group_interval: z.string().regex(DURATION),
    repeat_interval: z.string().regex(DURATION),
    routes: z.array(Route),
  })
  .strict();
const NotificationsFile = z
  .object({
    apiVersion: z.literal(1),
    contactPoints: z.array(ContactPoint).min(1),
    policies: z.array(Policy).length(1),
  })
  .strict();

describe('provisioning/alerting/notifications.yaml (Grafana contact points and notification policies)', () => {
  const notifications = NotificationsFile.parse(read('provisioning/alerting/notifications.yaml'));
  const am = read('provisioning/alertmanager/alertmanager.yml') as {
    route: {
      receiver: string;
      group_by: string[];
      repeat_interval: string;
      routes: { matchers: string[]; receiver: string; repeat_interval?: string }[];
    };
  };
  const [policy] = notifications.policies;
  const names = notifications.contactPoints.map((c) => c.name);

  test('every receiver a policy names is a provisioned contact point; receiver uids are unique', () => {
    const used = [policy.receiver, ...policy.routes.map((r) => r.receiver)];
    for (const name of used) expect(names).toContain(name);
    const uids = notifications.contactPoints.flatMap((c) => c.receivers.map((r) => r.uid));
    expect(new Set(uids).size).toBe(uids.length);
  });

  test('sends nothing anywhere until the placeholders are replaced (.invalid hosts only)', () => {
    for (const r of notifications.contactPoints.flatMap((c) => c.receivers)) {
      expect(new URL(String(r.settings.url)).hostname).toMatch(/\.invalid$/);
    }
  });

  test('routes like the Alertmanager configuration: same grouping, receivers and reminders by severity', () => {
    expect(policy.group_by).toEqual(am.route.group_by);
    expect(policy.receiver).toBe(am.route.receiver);
    expect(policy.repeat_interval).toBe(am.route.repeat_interval);
    const bySeverity = (routes: { severity: string; receiver?: string; repeat?: string }[]) =>
      Object.fromEntries(routes.map((r) => [r.severity, [r.receiver, r.repeat]]));
    expect(
      bySeverity(
        policy.routes.map((r) => ({
          severity: r.object_matchers?.find(([l, op]) => l === 'severity' && op === '=')?.[2] ?? '?',
          receiver: r.receiver,
          repeat: r.repeat_interval,
        })),
      ),
    ).toEqual(
      bySeverity(
        am.route.routes.map((r) => ({
          severity: /severity="(\w+)"/.exec(r.matchers.join(' '))?.[1] ?? '?',
          receiver: r.receiver,
          repeat: r.repeat_interval,
        })),
      ),
    );
  });

  test("every severity the Grafana-managed rules set has a route (and the rules' grouping labels exist)", () => {
    const severities = new Set(rules.map(({ rule }) => rule.labels?.severity));
    const routed = new Set(policy.routes.map((r) => r.object_matchers?.find(([l]) => l === 'severity')?.[2]));
    for (const s of severities) expect(routed).toContain(s);
  });
});
