/** Subjects of the NATS transport; the namespace prefixes every one, so systems and test runs share a broker. */
export const NatsSubjects = {
  /** `<ns>.rpc.<service>.`: a call's subject is this plus the method pattern. */
  rpcPrefix: (namespace: string, service: string) => `${namespace}.rpc.${service}.`,
  /** The queue group of a service: its instances share the calls, each handled by exactly one. */
  queueGroup: (namespace: string, service: string) => `${namespace}.${service}`,
};
