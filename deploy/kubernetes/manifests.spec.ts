import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadDiscoveryConfig } from '@app/discovery';
import { loadAdminConfig, loadEventBusConfig } from '@app/messaging';
import { loadResilienceConfig } from '@app/resilience';
import {
  DEFAULT_HTTP_PORTS,
  DEFAULT_SERVICE_PORTS,
  HEALTH_LIVE_PATH,
  HEALTH_READY_PATH,
  httpPortFor,
  loadTransportConfig,
} from '@app/transport';
import { loadGatewayConfig } from '../../apps/gateway/src/config/gateway-config';
import { readByApps } from '../app-env-names';

/**
 * The Kubernetes manifests, parsed and checked against the apps: every app has a Deployment and a Service, ports
 * and probe paths are the ones the apps use, every environment variable is one an app reads, and each container's
 * environment is accepted by the apps' own configuration loaders in production mode.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { APPS, SERVICES } = require('../../scripts/apps') as { APPS: string[]; SERVICES: string[] };
const ROOT = join(__dirname, '..', '..');
const DIR = __dirname;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  command?: string[];
  envFrom?: { configMapRef?: { name: string } }[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
}
interface Workload extends K8sObject {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } } };
}
interface Service extends K8sObject {
  spec: { clusterIP?: string; selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] };
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const objects: K8sObject[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as K8sObject;
  }),
);
const resources = objects.filter((o) => o.kind !== 'Kustomization');
const find = <T extends K8sObject>(kind: string, name: string) => resources.find((o) => o.kind === kind && o.metadata.name === name) as T | undefined;
const configMap = find<K8sObject & { data: Record<string, string> }>('ConfigMap', 'switchboard-config')!;
const containerOf = (app: string) => find<Workload>('Deployment', app)!.spec.template.spec.containers[0];


/** A container's environment as the app sees it: the ConfigMap, its own values, secrets and fields as samples. */
function environment(container: Container): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const source of container.envFrom ?? []) Object.assign(env, find<typeof configMap>('ConfigMap', source.configMapRef!.name)!.data);
  for (const v of container.env ?? []) {
    if (v.value !== undefined) env[v.name] = v.value.replace(/\$\(([A-Z_]+)\)/g, (_, ref: string) => env[ref] ?? '');
    else if (v.valueFrom?.fieldRef) env[v.name] = v.valueFrom.fieldRef.fieldPath === 'status.podIP' ? '10.1.2.3' : 'pod-name-7d9f';
    else if (v.valueFrom?.secretKeyRef) env[v.name] = v.name === 'AUTH_CLIENTS' ? 'shop:a-client-secret-of-some-length' : 'x'.repeat(48);
  }
  return env;
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('parse, list every file in the kustomization, and all live in one namespace', () => {
    const kustomization = objects.find((o) => o.kind === 'Kustomization') as K8sObject & { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
    for (const o of resources.filter((r) => r.kind !== 'Namespace')) expect(`${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`).toBe(`${o.kind}/${o.metadata.name} in switchboard`);
  });

  it('run NATS as a 3-node cluster with JetStream (routes, a name per server), the apps listing every server', () => {
    const nats = find<Workload & { spec: { serviceName: string } }>('StatefulSet', 'nats')!;
    expect(nats.spec.replicas).toBe(3);
    const container = nats.spec.template.spec.containers[0] as Container & { args: string[] };
    const arg = (flag: string) => container.args[container.args.indexOf(flag) + 1];
    expect(container.args).toContain('-js');
    expect(arg('--server_name')).toBe('$(POD_NAME)');
    expect(container.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(arg('--cluster_name')).toBeTruthy();
    const service = find<Service>('Service', nats.spec.serviceName)!;
    expect(service.spec.clusterIP).toBe('None');
    const port = (name: string) => service.spec.ports.find((p) => p.name === name)!.port;
    const pods = [0, 1, 2].map((i) => `nats-${i}.${service.metadata.name}`);
    expect(arg('--cluster')).toBe(`nats://0.0.0.0:${port('cluster')}`);
    expect(arg('--routes').split(',')).toEqual(pods.map((pod) => `nats://${pod}:${port('cluster')}`));
    expect(configMap.data.NATS_URL.split(',')).toEqual(pods.map((pod) => `nats://${pod}:${port('client')}`));
    const env = environment(containerOf('orders'));
    expect(loadEventBusConfig(loadTransportConfig(env), env).streamReplicas).toBe(3);
    expect(loadDiscoveryConfig(env).replicas).toBe(3);
  });

  it('run Redis with Sentinel: a master and a replica, three sentinels, the apps asking the sentinels', () => {
    const redis = find<Workload & { spec: { serviceName: string } }>('StatefulSet', 'redis')!;
    expect(redis.spec.replicas).toBe(2);
    expect(find<Service>('Service', redis.spec.serviceName)!.spec.clusterIP).toBe('None');
    expect(find<Service>('Service', 'redis')!.spec.ports[0].port).toBe(Number(new URL(configMap.data.REDIS_URL).port));
    const sentinels = find<Workload & { spec: { serviceName: string } }>('StatefulSet', 'redis-sentinel')!;
    expect(sentinels.spec.replicas).toBe(3);
    const service = find<Service>('Service', sentinels.spec.serviceName)!;
    expect(service.spec.clusterIP).toBe('None');
    const port = service.spec.ports.find((p) => p.name === 'sentinel')!.port;

    const scripts = find<K8sObject & { data: Record<string, string> }>('ConfigMap', 'redis-sentinel-scripts')!.data;
    const [, name, quorum] = /sentinel monitor (\S+) \S+ 6379 (\d+)/.exec(scripts['sentinel.sh']) ?? [];
    expect(Number(quorum)).toBe(2);
    expect(scripts['sentinel.sh']).toContain(`port ${port}`);
    expect(scripts['sentinel.sh']).toMatch(/--sentinel/);
    expect(scripts['redis.sh']).toMatch(/--appendonly yes/);
    expect(scripts['redis.sh']).toMatch(/--replicaof/);
    for (const script of Object.values(scripts)) expect(script).toContain(`get-master-addr-by-name ${name}`);

    const config = loadTransportConfig(environment(containerOf('orders')));
    expect(config.redisSentinel).toEqual({
      name,
      sentinels: [0, 1, 2].map((i) => ({ host: `redis-sentinel-${i}.${service.metadata.name}`, port })),
    });
    expect(loadEventBusConfig(config, environment(containerOf('orders'))).redisWaitReplicas).toBe(1);
  });

  it.each(APPS)('%s: a Deployment of the built app with its HTTP port, probes on the health paths, and a Service', (app) => {
    const deployment = find<Workload>('Deployment', app)!;
    expect(deployment).toBeDefined();
    const container = containerOf(app);
    expect(container.command).toEqual(['node', `dist/apps/${app}/main.js`]);
    expect(existsSync(join(ROOT, 'apps', app, 'src', 'main.ts'))).toBe(true);
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);

    const env = environment(container);
    const http = container.ports!.find((p) => p.name === 'http')!;
    expect(http.containerPort).toBe(httpPortFor(app, env));
    if (app !== 'gateway') expect(http.containerPort).toBe(DEFAULT_HTTP_PORTS[app]);
    expect(container.livenessProbe!.httpGet).toEqual({ path: HEALTH_LIVE_PATH, port: 'http' });
    expect(container.readinessProbe!.httpGet).toEqual({ path: HEALTH_READY_PATH, port: 'http' });

    const service = find<Service>('Service', app)!;
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    const portNames = container.ports!.map((p) => p.name);
    for (const port of service.spec.ports) expect(portNames).toContain(port.targetPort);
  });

  it.each(SERVICES)('%s: listens for RPC on its port, advertises the pod address, and has a headless Service for SRV', (app) => {
    const container = containerOf(app);
    const env = environment(container);
    const rpc = container.ports!.find((p) => p.name === 'rpc')!;
    expect(rpc.containerPort).toBe(DEFAULT_SERVICE_PORTS[app]);
    expect(env.RPC_LISTEN).toBe(`0.0.0.0:${rpc.containerPort}`);
    expect(env.RPC_ADVERTISE).toBe(`10.1.2.3:${rpc.containerPort}`);
    // DISCOVERY=dns names `_rpc._tcp.<app>-rpc.<namespace>...`: that Service must exist, headless, with port "rpc".
    const srv = loadDiscoveryConfig({ ...env, DISCOVERY: 'dns' }).dnsName.replace('{service}', app);
    const [, , name, namespace] = /^_(\w+)\._tcp\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(srv) ?? [];
    const headless = find<Service>('Service', name)!;
    expect(headless).toBeDefined();
    expect(headless.metadata.namespace).toBe(namespace);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.ports).toEqual([{ name: 'rpc', port: rpc.containerPort, targetPort: 'rpc' }]);
  });

  it.each(APPS)('%s: every variable it is given is one the apps read, and the apps accept them in production', (app) => {
    const container = containerOf(app);
    const helpers = new Set(['POD_IP']); // only referenced as $(POD_IP) inside other values
    const names = [...Object.keys(configMap.data), ...(container.env ?? []).map((v) => v.name)].filter((n) => !helpers.has(n));
    expect(names.filter((name) => !readByApps(name))).toEqual([]);
    const env = environment(container);
    expect(env.NODE_ENV).toBe('production');
    expect(() => loadTransportConfig(env, {}, app)).not.toThrow();
    expect(() => loadDiscoveryConfig(env)).not.toThrow();
    expect(() => loadResilienceConfig(env)).not.toThrow();
    if (app === 'gateway') expect(() => loadGatewayConfig(env)).not.toThrow();
    if (app === 'orders' || app === 'notifications') expect(() => loadAdminConfig(env)).not.toThrow();
  });
});
