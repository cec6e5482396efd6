/**
 * Whether one invocation of a copying step moved the restore on. When S3 keeps failing for a
 * passing reason (an outage of hours), each invocation leaves its work to the next one without
 * getting anything done; the state machine waits after such an invocation and fails the restore
 * after too many in a row, instead of looping until the execution's history is full (an error no
 * Catch sees, which would end the restore without its failure document or its cleanup).
 */

/** Characters of a setback kept in the state (it becomes part of a failure's cause, at most 32,768 characters). */
const SETBACK_CHARACTERS = 2_000;

/** What the copies of one invocation got done, and the last reason one could not go on. */
export class CopyProgress {
  private wroteAny = false;
  private lastSetback: string | undefined;

  /** A copy call wrote something: an object copied, a part copied, an upload completed. */
  wrote(): void {
    this.wroteAny = true;
  }

  /** Why a copy was left for the next invocation. */
  setback(text: string): void {
    this.lastSetback = text;
  }

  get progressed(): boolean {
    return this.wroteAny;
  }

  /**
   * What the step's state carries on: nothing when the invocation moved on (`movedOn`, or a
   * copy call wrote), else the count of invocations in a row without progress and the last setback.
   */
  stall(previous: number | undefined, movedOn: boolean): StallState {
    if (movedOn || this.wroteAny) {
      return {};
    }
    const setback = this.lastSetback ?? "the invocation's deadline came before any copy was made";
    return {
      stalled: (previous ?? 0) + 1,
      setback: setback.length > SETBACK_CHARACTERS ? `${setback.slice(0, SETBACK_CHARACTERS - 20)} ... (cut)` : setback,
    };
  }
}

/** Invocations in a row that moved nothing on, and the last one's setback; absent after one that moved on. */
export interface StallState {
  readonly stalled?: number;
  readonly setback?: string;
}
