import { createHash } from 'node:crypto';

/** Longest stream or consumer name we make (the server's limit is 255; names become file names). */
const MAX_NAME_LENGTH = 200;

/** Stream and consumer names may not hold `.`, `*`, `>`, whitespace or path separators: keep [A-Za-z0-9_-]. */
export function sanitizeName(raw: string): string {
  const name = raw.replace(/[^A-Za-z0-9_-]/g, '_');
  if (name.length <= MAX_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 16);
  return `${name.slice(0, MAX_NAME_LENGTH - 17)}-${hash}`;
}

/** Names and subjects of the JetStream event bus; every one starts with the namespace. */
export const JetStreamNames = {
  /** The one stream of a namespace's events. */
  stream: (namespace: string) => sanitizeName(`${namespace}_events`),
  /** Every event subject of the namespace (the stream's subjects). */
  allSubjects: (namespace: string) => `${namespace}.events.>`,
  subject: (namespace: string, type: string) => `${namespace}.events.${type}`,
  /** The event type a subject carries, or undefined if the subject is not one of the namespace's events. */
  typeOf(namespace: string, subject: string): string | undefined {
    const prefix = `${namespace}.events.`;
    return subject.startsWith(prefix) && subject.length > prefix.length ? subject.slice(prefix.length) : undefined;
  },
  /** The durable consumer that feeds one event type to one group (nats-server 2.9 filters a consumer on one subject). */
  durable: (namespace: string, group: string, type: string) => sanitizeName(`${namespace}__${group}__${type}`),
};
