/**
 * The place-order saga, as states. Each state is a step to run; its outcome picks the next state:
 *
 *   RESERVING --done--> CHARGING --done--> CONFIRMED
 *       |                   |
 *   rejected / timed out  rejected / timed out
 *       v                   v
 *   RELEASING <--done-- REFUNDING
 *       |
 *     done --> REJECTED
 *
 * RESERVING and CHARGING move the order forward; REFUNDING (refund the capture, or void the order so a late charge
 * is refused) and RELEASING (give the stock back, or mark it released so a late reserve is refused) compensate.
 * A compensation is never rejected and never times out: it is retried until it is done.
 */
export const SAGA_STATES = ['RESERVING', 'CHARGING', 'REFUNDING', 'RELEASING', 'CONFIRMED', 'REJECTED'] as const;
export type SagaState = (typeof SAGA_STATES)[number];
export type FinalState = 'CONFIRMED' | 'REJECTED';

/** What a step came to: `done`, refused for good (`rejected`), or still failing when its time was up (`timed-out`). */
export type StepOutcome = 'done' | 'rejected' | 'timed-out';

const FORWARD = new Set<SagaState>(['RESERVING', 'CHARGING']);

export const isFinal = (state: SagaState): state is FinalState => state === 'CONFIRMED' || state === 'REJECTED';

/** Steps that move the order forward; they may be rejected or time out (the others are compensations). */
export const isForward = (state: SagaState): boolean => FORWARD.has(state);

/** The state a step's outcome leads to. */
export function nextState(state: SagaState, outcome: StepOutcome): SagaState {
  if (isFinal(state)) throw new Error(`the saga is over (${state})`);
  if (outcome !== 'done' && !isForward(state)) throw new Error(`compensation ${state} cannot be ${outcome}`);
  switch (state) {
    case 'RESERVING':
      return outcome === 'done' ? 'CHARGING' : 'RELEASING';
    case 'CHARGING':
      return outcome === 'done' ? 'CONFIRMED' : 'REFUNDING';
    case 'REFUNDING':
      return 'RELEASING';
    case 'RELEASING':
      return 'REJECTED';
  }
}
