import { LOOP_WAIT_EVENTS, STEP_ITERATION_EVENTS } from '../../lib/private/loop-event-budget';

/** History events the object restore's loops have added so far (see LOOP_EVENTS_ALLOWED); carried from step to step in the state. */
export interface LoopEventCount {
  readonly loopEvents?: number;
}

/**
 * A looping step's result with this iteration's history events added to those before it: its
 * task and Choice, and the Wait the Choice goes to next when `waitFollows` (the retrievals not
 * ready, a copy invocation that moved nothing on).
 */
export function withLoopEvents<T extends object>(result: T, before: number | undefined, waitFollows: boolean): T & { loopEvents: number } {
  return { ...result, loopEvents: (before ?? 0) + STEP_ITERATION_EVENTS + (waitFollows ? LOOP_WAIT_EVENTS : 0) };
}
