/** A host:port of the tcp transport (`[v6]:port` for IPv6). */
export interface TcpAddress {
  host: string;
  port: number;
  /** As configured, for messages. */
  text: string;
}

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

export function parseTcpAddress(text: string): TcpAddress {
  const match = HOST_PORT.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) throw new Error(`tcp: "${text}" is not a host:port address`);
  return { host: match[1] ?? match[2], port, text };
}
