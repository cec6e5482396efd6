/**
 * The report of a restore verification: a list of checks, each `ok`, `failed` or `unknown`
 * (could not run), and an overall status that is `ok` only when every check is `ok`.
 */

/** The outcome of one check. `unknown` means the check could not run: it is never `ok`. */
export type CheckStatus = 'ok' | 'failed' | 'unknown';

/** One check of a verification. */
export interface VerificationCheck {
  /** What was checked, e.g. `rows shop.orders` or `check-table shop.orders`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found, in one line. */
  readonly detail: string;
  /**
   * Set on an `unknown` check that ran but whose values cannot be compared (the row counts of a
   * dump manifest taken while replication kept applying changes), unlike a check that could not run.
   */
  readonly notComparable?: true;
}

/** The result of a verification. */
export interface VerificationReport {
  /** `ok` when every check is `ok`; `failed` when any failed; otherwise `unknown`. */
  readonly status: CheckStatus;
  readonly checks: VerificationCheck[];
}

/** The overall status of a list of checks (an empty list is `unknown`: nothing was verified). */
export function overallStatus(checks: readonly VerificationCheck[]): CheckStatus {
  if (checks.length === 0) {
    return 'unknown';
  }
  if (checks.some((check) => check.status === 'failed')) {
    return 'failed';
  }
  return checks.every((check) => check.status === 'ok') ? 'ok' : 'unknown';
}

/** A report from checks. */
export function report(checks: VerificationCheck[]): VerificationReport {
  return { status: overallStatus(checks), checks };
}

/** Merges reports (e.g. CHECK TABLE and the manifest comparison) into one. */
export function mergeReports(...reports: VerificationReport[]): VerificationReport {
  return report(reports.flatMap((r) => r.checks));
}

/** The failed and unknown checks, one per line, for an error message or a log. */
export function describeProblems(verification: VerificationReport): string {
  return verification.checks
    .filter((check) => check.status !== 'ok')
    .map((check) => `${check.status}: ${check.name}: ${check.detail}`)
    .join('\n');
}

/** The message of an error, for a check's detail. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
