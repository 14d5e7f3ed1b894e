/**
 * The container image and the kustomize base (Dockerfile, .dockerignore, deploy/kubernetes), checked
 * offline: no Docker engine and no cluster run here. What is checked: the YAML parses; the kustomization
 * lists files that exist; the objects are the kinds a sharded StatefulSet needs, with probes on
 * /healthz and /readyz, a non-root security context, the shard from the pod name, one volume per
 * replica, the jobs ConfigMap and the token Secret; every TRAFFICLENS_* variable it sets is one the
 * service reads (the built backend's config schema); the jobs file passes the service's own validation.
 * What is not checked: that the image builds and that the objects are accepted by an API server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO } from '../lib/tools.js';

const DIR = join(REPO, 'deploy/kubernetes');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function documents(path: string): Obj[] {
  return parseAllDocuments(read(path)).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Obj;
  });
}

const kustomization = documents('deploy/kubernetes/kustomization.yaml')[0];
const objects: Obj[] = (kustomization.resources as string[]).flatMap((r) =>
  documents(`deploy/kubernetes/${r}`),
);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const statefulSet = byKind('StatefulSet')[0];
const pod = statefulSet.spec.template.spec;
const container = pod.containers[0];
const env = new Map<string, Obj>(container.env.map((e: Obj) => [e.name, e]));

describe('deploy/kubernetes (kustomize base)', () => {
  test('lists files that exist, and generates the jobs ConfigMap from one', () => {
    for (const r of kustomization.resources) expect(existsSync(join(DIR, r))).toBe(true);
    const [jobs] = kustomization.configMapGenerator;
    expect(jobs.name).toBe('trafficlens-jobs');
    for (const f of jobs.files) expect(existsSync(join(DIR, f))).toBe(true);
  });

  test('holds a StatefulSet, the API and headless Services and a PodDisruptionBudget', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'PodDisruptionBudget',
      'Service',
      'Service',
      'StatefulSet',
    ]);
    const headless = byKind('Service').find((s) => s.spec.clusterIP === 'None');
    expect(statefulSet.spec.serviceName).toBe(headless?.metadata.name);
    expect(byKind('PodDisruptionBudget')[0].spec.maxUnavailable).toBe(1);
  });

  test('each replica takes its shard from its pod name, out of as many shards as replicas', () => {
    expect(env.get('TRAFFICLENS_POD_NAME')?.valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(Number(env.get('TRAFFICLENS_SHARDS')?.value)).toBe(statefulSet.spec.replicas);
    expect(env.has('TRAFFICLENS_SHARD')).toBe(false);
  });

  test('sets only variables the service reads; the token from a Secret, the jobs from the ConfigMap', async () => {
    const { EnvConfig } = await import(join(REPO, 'backend/dist/config/schema.js'));
    for (const name of env.keys()) expect(Object.keys(EnvConfig.shape)).toContain(name);
    expect(env.get('TRAFFICLENS_API_TOKEN')?.valueFrom.secretKeyRef).toEqual({
      name: 'trafficlens',
      key: 'api-token',
    });
    const jobsVolume = pod.volumes.find((v: Obj) => v.configMap?.name === 'trafficlens-jobs');
    const mount = container.volumeMounts.find((m: Obj) => m.name === jobsVolume.name);
    expect(env.get('TRAFFICLENS_CONFIG')?.value).toBe(`${mount.mountPath}/jobs.yaml`);
  });

  test('the jobs file passes the service’s own validation', async () => {
    const { loadJobsFile } = await import(join(REPO, 'backend/dist/jobs/file.js'));
    const specs = await loadJobsFile(join(DIR, 'jobs.yaml'), { prometheusConfigured: true });
    expect(specs.length).toBeGreaterThan(0);
  });

  test('probes /healthz (startup, liveness) and /readyz (readiness) on the served port', () => {
    const port = container.ports[0];
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: port.name });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: port.name });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: port.name });
    expect(port.containerPort).toBe(8686);
  });

  test('runs as a non-root user, read-only, without privileges', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toHaveProperty('cpu');
    expect(container.resources.limits).toHaveProperty('memory');
  });

  test('one volume per replica for models and job state, where the service keeps them', () => {
    const [claim] = statefulSet.spec.volumeClaimTemplates;
    const mount = container.volumeMounts.find((m: Obj) => m.name === claim.metadata.name);
    expect(mount.mountPath).toBe('/var/lib/trafficlens');
    expect(env.get('TRAFFICLENS_MODELS_DIR')?.value).toMatch(/^\/var\/lib\/trafficlens\//);
    expect(env.get('TRAFFICLENS_STATE_DIR')?.value).toMatch(/^\/var\/lib\/trafficlens\//);
  });

  test('the pods carry Prometheus scrape annotations for the served port and /metrics', () => {
    expect(statefulSet.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8686',
      'prometheus.io/path': '/metrics',
    });
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const froms = lines.filter((l) => l.startsWith('FROM '));
  const runtime = lines.slice(lines.indexOf(froms[froms.length - 1]));

  test('two stages on node:20-slim; better-sqlite3 is compiled in the build stage', () => {
    expect(froms).toEqual(['FROM node:20-slim AS build', 'FROM node:20-slim']);
    const build = lines.slice(0, lines.indexOf(froms[1])).join('\n');
    expect(build).toMatch(/npm rebuild better-sqlite3/);
    expect(build).toMatch(/g\+\+/);
    expect(runtime.join('\n')).not.toMatch(/g\+\+|apt-get install/);
  });

  test('runs as the non-root node user, with a HEALTHCHECK on /healthz and the built entry point', () => {
    expect(runtime.filter((l) => l.startsWith('USER '))).toEqual(['USER node']);
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK'))).toMatch(/\/healthz/);
    const cmd = JSON.parse(runtime.find((l) => l.startsWith('CMD '))!.slice(4)) as string[];
    expect(cmd).toEqual(['node', 'backend/dist/main.js']);
    expect(existsSync(join(REPO, 'backend/dist/main.js'))).toBe(true);
  });

  test('copies into the runtime stage only paths the build produces', () => {
    for (const line of runtime.filter((l) => l.startsWith('COPY --from=build '))) {
      const from = line.split(/\s+/)[2].replace(/^\/src\//, '');
      if (from === 'node_modules') continue;
      expect(existsSync(join(REPO, from))).toBe(true);
    }
  });

  test('.dockerignore keeps installed and built files and VCS data out of the context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['**/node_modules', '**/dist', '.git']) expect(ignored).toContain(p);
  });
});
