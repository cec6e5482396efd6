/**
 * The readable part of a Step Functions failure cause: a failed Lambda step's cause is the
 * function's error as JSON, whose `errorMessage` is what a person needs; any other cause is
 * shown as it is.
 */
export function executionCause(cause: string | undefined): string {
  if (!cause) {
    return '';
  }
  try {
    return (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
  } catch {
    return cause;
  }
}
