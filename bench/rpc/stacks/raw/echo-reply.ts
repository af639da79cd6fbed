import type { EchoRequest, EchoResponse } from '../../../contract/bench.contract';

/** What every raw server does per request: decode the JSON request, answer `{text, instance}` as JSON. */
export function echoReplyJson(requestJson: string, instance: string): string {
  const request = JSON.parse(requestJson) as EchoRequest;
  const response: EchoResponse = { text: request.text, instance };
  return JSON.stringify(response);
}

export const rawInstance = () => `raw-${process.pid}`;
