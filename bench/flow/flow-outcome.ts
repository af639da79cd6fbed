import { quantile } from '../report/stats';

export type FinalStatus = 'CONFIRMED' | 'REJECTED';

/** One offered order: when it was posted, how the gateway answered, and when it reached a final state. */
export interface OfferedOrder {
  /** ms (performance.now) when the POST was sent. */
  postedAt: number;
  /** ms when the gateway answered, if it did. */
  answeredAt?: number;
  /** The HTTP status, or undefined when the request failed without an answer. */
  httpStatus?: number;
  /** The order id of an accepted (202) order. */
  orderId?: string;
  finalStatus?: FinalStatus;
  /** ms when the final status reached the bench (WebSocket push, or a read at the end). */
  finalAt?: number;
}

/** What an order flow run shows: how many orders got where, and how long POST -> CONFIRMED took. */
export interface FlowOutcome {
  offeredPerSecond: number;
  offered: number;
  accepted: number;
  /** Answered, but not 202 (with the first such status). */
  refused: number;
  firstRefusal?: string;
  /** No answer at all (connection error, timeout). */
  failed: number;
  confirmed: number;
  rejected: number;
  /** Accepted orders that never reached CONFIRMED or REJECTED. */
  notFinal: number;
  /** POST sent -> CONFIRMED seen, over the confirmed orders (ms). */
  confirmP50Ms: number;
  confirmP99Ms: number;
  confirmMaxMs: number;
  /** POST sent -> 202 received, over the accepted orders (ms). */
  acceptP99Ms: number;
}

/** Counts and latency quantiles of one run's orders; `overflow`: orders due that the offer could not even send. */
export function flowOutcome(orders: readonly OfferedOrder[], offeredPerSecond: number, overflow = 0): FlowOutcome {
  const accepted = orders.filter((o) => o.httpStatus === 202 && o.orderId);
  const refused = orders.filter((o) => o.httpStatus !== undefined && o.httpStatus !== 202);
  const confirmed = accepted.filter((o) => o.finalStatus === 'CONFIRMED');
  const toConfirm = Float64Array.from(confirmed, (o) => o.finalAt! - o.postedAt).sort();
  const toAccept = Float64Array.from(accepted, (o) => o.answeredAt! - o.postedAt).sort();
  return {
    offeredPerSecond,
    offered: orders.length + overflow,
    accepted: accepted.length,
    refused: refused.length,
    firstRefusal: refused.length ? `HTTP ${refused[0].httpStatus}` : undefined,
    failed: orders.filter((o) => o.httpStatus === undefined).length,
    confirmed: confirmed.length,
    rejected: accepted.filter((o) => o.finalStatus === 'REJECTED').length,
    notFinal: accepted.filter((o) => !o.finalStatus).length,
    confirmP50Ms: quantile(toConfirm, 0.5),
    confirmP99Ms: quantile(toConfirm, 0.99),
    confirmMaxMs: quantile(toConfirm, 1),
    acceptP99Ms: quantile(toAccept, 0.99),
  };
}

/** Whether the run meets issue 13's line: every order offered was accepted and reached its final state. */
export function everyOrderFinal(outcome: FlowOutcome): boolean {
  return outcome.offered > 0 && outcome.accepted === outcome.offered && outcome.notFinal === 0;
}
