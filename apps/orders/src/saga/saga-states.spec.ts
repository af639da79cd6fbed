import { isFinal, isForward, nextState, SAGA_STATES } from './saga-states';

describe('place-order saga states', () => {
  it('runs reserve -> charge -> confirmed', () => {
    expect(nextState('RESERVING', 'done')).toBe('CHARGING');
    expect(nextState('CHARGING', 'done')).toBe('CONFIRMED');
  });

  it('compensates what was done, in reverse order, when a forward step is rejected or times out', () => {
    for (const outcome of ['rejected', 'timed-out'] as const) {
      expect(nextState('RESERVING', outcome)).toBe('RELEASING');
      expect(nextState('CHARGING', outcome)).toBe('REFUNDING');
    }
    expect(nextState('REFUNDING', 'done')).toBe('RELEASING');
    expect(nextState('RELEASING', 'done')).toBe('REJECTED');
  });

  it('never rejects or times out a compensation, and has no step after a final state', () => {
    expect(() => nextState('REFUNDING', 'rejected')).toThrow('compensation');
    expect(() => nextState('RELEASING', 'timed-out')).toThrow('compensation');
    expect(() => nextState('CONFIRMED', 'done')).toThrow('over');
    expect(SAGA_STATES.filter(isFinal)).toEqual(['CONFIRMED', 'REJECTED']);
    expect(SAGA_STATES.filter(isForward)).toEqual(['RESERVING', 'CHARGING']);
  });

  it('ends every path in a final state within four steps', () => {
    const walk = (state: (typeof SAGA_STATES)[number], outcomes: ('done' | 'rejected' | 'timed-out')[]): string => {
      for (const outcome of outcomes) {
        if (isFinal(state)) break;
        state = nextState(state, isForward(state) ? outcome : 'done');
      }
      return state;
    };
    expect(walk('RESERVING', ['done', 'done'])).toBe('CONFIRMED');
    expect(walk('RESERVING', ['rejected', 'done'])).toBe('REJECTED');
    expect(walk('RESERVING', ['done', 'timed-out', 'done', 'done'])).toBe('REJECTED');
  });
});
