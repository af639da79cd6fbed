import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** OTLP span kinds (1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
export const SpanKinds = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

/** One span as an app exported it, flattened: ids in hex, its resource's `service.name`, plain attributes. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, unknown>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  startTimeUnixNano: string;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value?: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: OtlpAttribute[];
  status?: { code?: number };
  startTimeUnixNano?: string | number;
}
interface OtlpTraceRequest {
  resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

const MAX_BODY = 16 * 1024 * 1024;

/** OTLP/JSON carries ids as hex (the spec); accept base64 too, as some exporters send. */
function hexId(id: string | undefined, bytes: number): string | undefined {
  if (!id) return undefined;
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(id)) return id.toLowerCase();
  const decoded = Buffer.from(id, 'base64');
  return decoded.length === bytes ? decoded.toString('hex') : undefined;
}

function valueOf(value: OtlpValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return value.boolValue;
}

const attributesOf = (list: OtlpAttribute[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));

/**
 * A small OpenTelemetry collector for tests: an OTLP/HTTP receiver (`POST /v1/traces`, JSON encoding: start the
 * apps with OTEL_EXPORTER_OTLP_PROTOCOL=http/json) on a free loopback port that keeps every span it receives.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every export request's body as received, for scans of everything the apps exported (secret canaries). */
  readonly bodies: string[] = [];
  private server?: Server;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.receive(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  /** Waits until `condition` holds over the spans received so far (polling), or throws after `timeoutMs`. */
  async waitFor(condition: (spans: ReceivedSpan[]) => boolean, timeoutMs = 15_000, what = 'spans'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!condition(this.spans)) {
      if (Date.now() > until) {
        throw new Error(`${what} did not arrive within ${timeoutMs} ms; got:\n${this.spans.map((s) => `${s.service} ${s.name}`).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      res.writeHead(415, { 'content-type': 'text/plain' }).end('this test receiver takes OTLP/JSON only (OTEL_EXPORTER_OTLP_PROTOCOL=http/json)');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    let request: OtlpTraceRequest;
    const body = Buffer.concat(chunks).toString('utf8');
    this.bodies.push(body);
    try {
      request = JSON.parse(body) as OtlpTraceRequest;
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('body is not JSON');
      return;
    }
    for (const resourceSpans of request.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? 'unknown');
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            traceId: hexId(span.traceId, 16) ?? '',
            spanId: hexId(span.spanId, 8) ?? '',
            parentSpanId: hexId(span.parentSpanId, 8),
            name: span.name,
            kind: span.kind ?? 0,
            service,
            attributes: attributesOf(span.attributes),
            statusCode: span.status?.code ?? 0,
            startTimeUnixNano: String(span.startTimeUnixNano ?? '0'),
          });
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }
}
