/**
 * The time a run gives its checks: they stop a margin before the invocation's timeout, so that a
 * dump too large to hash in one run makes its own check `unknown` while every other check, the
 * metrics and the report are still written (instead of the whole run timing out with nothing).
 */

/** What a run keeps for writing its metrics and report after its checks stop. */
export const REPORT_MARGIN_MS = 30_000;

/** The reason a check did not finish: the run's time was up. */
export class RunTimeUp extends Error {
  constructor(seconds: number) {
    super(`the run's time was up after ${seconds} s (the function's timeout less ${REPORT_MARGIN_MS / 1000} s to write the report) before this check finished; `
      + 'a dump that takes longer to read needs a longer timeout or more memory for the function');
    this.name = 'RunTimeUp';
  }
}

/** A signal aborted with `RunTimeUp` `REPORT_MARGIN_MS` before `remainingMs` runs out (none without a time limit); `clear` it when the run ends. */
export function runDeadline(remainingMs: number | undefined): { readonly signal?: AbortSignal; clear(): void } {
  if (remainingMs === undefined) {
    return { clear: () => undefined };
  }
  const controller = new AbortController();
  const budget = Math.max(remainingMs - REPORT_MARGIN_MS, 0);
  const timer = setTimeout(() => controller.abort(new RunTimeUp(Math.round(budget / 1000))), budget);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
