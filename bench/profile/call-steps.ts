import { readFileSync } from 'node:fs';

/** A V8 CPU profile (the parts read here). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
}

/** A step of a call, recognised by the frames of a sample: the first rule matching the frame nearest the leaf wins. */
export interface StepRule {
  step: string;
  /** Matched against `<function> <url>` of each frame. */
  frame: RegExp;
}

/**
 * The steps of one RPC, leaf-first: a sample is charged to the step of the innermost frame that names one (so the
 * JSON.stringify inside `encodePayload` is "encode", a promise hook inside the guard is "async context").
 */
export const CALL_STEPS: readonly StepRule[] = [
  { step: 'garbage collection', frame: /^\(garbage collector\)/ },
  { step: 'async context and promises (async_hooks)', frame: /node:internal\/async_hooks|node:async_hooks/ },
  { step: 'per-call log line (pino)', frame: /node_modules\/(pino|sonic-boom|@pinojs)\/|logServerCall|rpc-log\.ts/ },
  { step: 'tracing (spans)', frame: /@opentelemetry|trace-context\.ts|tracer\.ts/ },
  { step: 'metrics', frame: /observability\/src\/metrics\// },
  { step: 'encode (JSON, metadata)', frame: /encodePayload|encodeReply|encodeErrorReply|requestHeaders|metadataHeaders|json-codec\.ts:4[2-9]/ },
  { step: 'decode (JSON, metadata)', frame: /decodeReply|decodeRequestBody|decodeJson|requestMetadata|headerMetadata|sanitizeMetadata|acceptMetadataEntry/ },
  { step: 'guard (service token)', frame: /auth\/src\/(server|token)\// },
  { step: 'contract validation (zod)', frame: /node_modules\/zod\/|contract-validation\.pipe/ },
  { step: 'handler', frame: /bench\.controller\.ts/ },
  { step: 'client chain (resilience, token, metadata)', frame: /libs\/resilience\/|node_modules\/cockatiel\/|service-token|rpc-client\.ts|client-interceptor\.ts|metadata\/metadata\.ts/ },
  { step: 'server dispatch (Nest pipeline, context, deadline)', frame: /server\/dispatch\/|switchboard\.server\.ts|call-context\.ts|@nestjs\/|node_modules\/rxjs\// },
  { step: 'broker client library (nats.js: publish, parse, socket)', frame: /node_modules\/nats\/|nats-(client|server)\.transport|nats-reply-inbox|nats-publish-batch|node:net|node:internal\/stream|writeBuffer|writeUtf8String|\(anon\) :0/ },
  { step: 'deadline timers and pending calls', frame: /pending-calls\.ts|node:internal\/timers|node:timers/ },
  { step: 'event loop and microtasks', frame: /runMicrotasks|processTicksAndRejections|task_queues|\(program\)/ },
];

/** Share of the busy samples (idle excluded) charged to each step, in the rules' order, then "other". */
export function callSteps(profile: CpuProfile, rules: readonly StepRule[] = CALL_STEPS): { step: string; share: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stepOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = stepOf.get(id);
    if (known !== undefined) return known;
    let step = 'other';
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const { functionName, url } = byId.get(cur)!.callFrame;
      const frame = `${functionName || '(anon)'} ${url}`;
      const rule = rules.find((r) => r.frame.test(frame));
      if (rule) {
        step = rule.step;
        break;
      }
    }
    stepOf.set(id, step);
    return step;
  };
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    busy++;
    const step = classify(id);
    counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  return [...rules.map((r) => r.step), 'other']
    .filter((step, i, all) => all.indexOf(step) === i)
    .map((step) => ({ step, share: busy ? (counts.get(step) ?? 0) / busy : 0 }));
}

/** `npm run bench:steps -- <profile.cpuprofile> [µs of CPU per call of that process]` */
if (require.main === module) {
  const [file, perCall] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  for (const { step, share } of callSteps(profile)) {
    if (share < 0.005) continue;
    const us = perCall ? ` ${(share * Number(perCall)).toFixed(1).padStart(6)} µs` : '';
    console.log(`${(share * 100).toFixed(1).padStart(5)}%${us}  ${step}`);
  }
}
