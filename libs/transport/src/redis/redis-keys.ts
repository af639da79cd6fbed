/** Where a service's requests wait: one Redis list per service (hash-tagged by service for Redis Cluster). */
export const requestListKey = (namespace: string, service: string) => `${namespace}:rpc:{${service}}:requests`;

/** Every reply channel starts with this; a server publishes replies nowhere else. */
export const replyChannelPrefix = (namespace: string) => `${namespace}:rpc:reply:`;
