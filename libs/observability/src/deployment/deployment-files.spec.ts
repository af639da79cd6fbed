import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { metricsRegistry } from '../metrics/metrics-registry';
import '../metrics/event-metrics';
import '../metrics/http-metrics';
import '../metrics/outbox-metrics';
import '../metrics/resilience-metrics';
import '../metrics/rpc-metrics';

/**
 * No Docker engine runs here, so docker-compose.yml and the observability files it mounts are checked by parsing:
 * the services and their ports, the apps' OTEL settings pointing at the collector's receiver, the collector's
 * pipeline reaching Jaeger, Prometheus scraping each app's HTTP port, Grafana's provisioning, and every metric the
 * dashboard queries being one the apps really export.
 */
const ROOT = join(__dirname, '..', '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const yamlOf = <T>(path: string) => parse(read(path), { merge: true }) as T;

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: unknown;
}
interface Compose {
  services: Record<string, ComposeService>;
}

const APPS = { gateway: 'PORT', orders: 'ORDERS_HTTP_PORT', inventory: 'INVENTORY_HTTP_PORT', payments: 'PAYMENTS_HTTP_PORT', notifications: 'NOTIFICATIONS_HTTP_PORT' };

describe('docker-compose.yml and the observability files', () => {
  const compose = yamlOf<Compose>('docker-compose.yml');
  const services = compose.services;
  const mounts = (service: string) =>
    (services[service].volumes ?? []).filter((v) => v.startsWith('./')).map((v) => {
      const [host, container] = v.split(':');
      return { host: host.slice(2), container };
    });
  const mountedFile = (service: string, container: string) => {
    const mount = mounts(service).find((m) => container === m.container || container.startsWith(`${m.container}/`));
    if (!mount) throw new Error(`${service} mounts nothing at ${container}`);
    return join(mount.host, container.slice(mount.container.length));
  };

  it('has the brokers, the five apps, the collector, Jaeger, Prometheus and Grafana, with their UI ports published', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['gateway', 'grafana', 'inventory', 'jaeger', 'nats', 'notifications', 'orders', 'otel-collector', 'payments', 'prometheus', 'redis'].sort(),
    );
    expect(services.jaeger.ports).toContain('16686:16686');
    expect(services.prometheus.ports).toContain('9090:9090');
    expect(services.grafana.ports).toContain('3030:3000');
    expect(services.gateway.ports).toContain('3000:3000');
    for (const service of Object.values(services)) expect(service.image ?? service.build).toBeDefined();
    for (const name of Object.keys(services)) for (const { host } of mounts(name)) {
      if (host !== 'keys') expect({ name, host, exists: existsSync(join(ROOT, host)) }).toEqual({ name, host, exists: true });
    }
  });

  it('sends every app\'s traces to the collector\'s OTLP/HTTP receiver', () => {
    const collector = yamlOf<{ receivers: { otlp: { protocols: { http: { endpoint: string } } } } }>(
      mountedFile('otel-collector', '/etc/otelcol/config.yaml'),
    );
    const httpPort = collector.receivers.otlp.protocols.http.endpoint.split(':')[1];
    for (const app of Object.keys(APPS)) {
      const env = services[app].environment ?? {};
      expect({ app, exporter: env.OTEL_TRACES_EXPORTER, endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL }).toEqual({
        app,
        exporter: 'otlp',
        endpoint: `http://otel-collector:${httpPort}`,
        protocol: 'http/protobuf',
      });
    }
  });

  it('has a collector pipeline from the OTLP receiver to Jaeger\'s OTLP port', () => {
    const config = yamlOf<{
      receivers: Record<string, unknown>;
      processors: Record<string, unknown>;
      exporters: Record<string, { endpoint?: string }>;
      service: { pipelines: { traces: { receivers: string[]; processors: string[]; exporters: string[] } } };
    }>(mountedFile('otel-collector', '/etc/otelcol/config.yaml'));
    const traces = config.service.pipelines.traces;
    for (const receiver of traces.receivers) expect(config.receivers).toHaveProperty([receiver]);
    for (const processor of traces.processors) expect(config.processors).toHaveProperty([processor]);
    for (const exporter of traces.exporters) expect(config.exporters).toHaveProperty([exporter]);
    const toJaeger = traces.exporters.map((name) => config.exporters[name].endpoint).filter(Boolean);
    expect(toJaeger).toContain('jaeger:4317');
    expect(services.jaeger.environment?.COLLECTOR_OTLP_ENABLED).toBe('true');
  });

  it('has Prometheus scrape /metrics on each app\'s HTTP port as compose sets it', () => {
    const prometheus = yamlOf<{ scrape_configs: { metrics_path?: string; static_configs: { targets: string[] }[] }[] }>(
      mountedFile('prometheus', '/etc/prometheus/prometheus.yml'),
    );
    const job = prometheus.scrape_configs[0];
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    const targets = job.static_configs.flatMap((c) => c.targets).sort();
    const expected = Object.entries(APPS).map(([app, variable]) => `${app}:${services[app].environment?.[variable]}`).sort();
    expect(targets).toEqual(expected);
  });

  it('provisions Grafana with the Prometheus data source and the dashboard folder', () => {
    const datasources = yamlOf<{ datasources: { uid: string; type: string; url: string }[] }>(
      mountedFile('grafana', '/etc/grafana/provisioning/datasources/prometheus.yaml'),
    );
    expect(datasources.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const providers = yamlOf<{ providers: { options: { path: string } }[] }>(
      mountedFile('grafana', '/etc/grafana/provisioning/dashboards/switchboard.yaml'),
    );
    const dashboardPath = mountedFile('grafana', `${providers.providers[0].options.path}/switchboard.json`);
    expect(existsSync(join(ROOT, dashboardPath))).toBe(true);
  });

  it('has a dashboard whose every query names metrics the apps export, on the provisioned data source', async () => {
    const dashboard = JSON.parse(read('observability/grafana/dashboards/switchboard.json')) as {
      panels: { title: string; datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[];
    };
    const uid = yamlOf<{ datasources: { uid: string }[] }>('observability/grafana/provisioning/datasources/prometheus.yaml').datasources[0].uid;
    const exported = new Set((await metricsRegistry.getMetricsAsJSON()).map((m) => m.name));
    const queried = new Set<string>();
    for (const panel of dashboard.panels) {
      expect({ panel: panel.title, uid: panel.datasource.uid }).toEqual({ panel: panel.title, uid });
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        expect(target.datasource.uid).toBe(uid);
        const names = [...target.expr.matchAll(/\b(switchboard_[a-z_]+|process_[a-z_]+|nodejs_[a-z0-9_]+)\b/g)].map((m) => m[1]);
        expect({ expr: target.expr, names: names.length > 0 }).toEqual({ expr: target.expr, names: true });
        for (const name of names) {
          const base = name.replace(/_(bucket|count|sum)$/, '');
          queried.add(base);
          expect({ expr: target.expr, name, exported: exported.has(base) }).toEqual({ expr: target.expr, name, exported: true });
        }
      }
    }
    // The dashboard covers every Switchboard metric.
    expect([...exported].filter((name) => name.startsWith('switchboard_') && !queried.has(name))).toEqual([]);
  });
});
