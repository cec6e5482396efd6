// Internal: one field of an AWS cron expression, shared by the construct checks and the report.

/**
 * The values one cron field allows (`*`, `?`, numbers, names, ranges, lists and steps), in
 * order, or undefined when the field is not understood: `L`, `W`, `#`, or a value outside
 * `min`..`max`.
 */
export function expandCronField(field: string, min: number, max: number, names: { readonly [name: string]: number } = {}): number[] | undefined {
  const valueOf = (text: string): number | undefined => {
    const value = names[text.toUpperCase()] ?? (/^\d+$/.test(text) ? Number(text) : NaN);
    return value >= min && value <= max ? value : undefined;
  };
  const result = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) {
      return undefined;
    }
    const [, range, stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number | undefined;
    let to: number | undefined;
    if (range === '*' || range === '?') {
      [from, to] = [min, max];
    } else {
      const [a, b] = range.split('-');
      from = valueOf(a);
      to = b === undefined ? (stepText === undefined ? from : max) : valueOf(b);
    }
    if (from === undefined || to === undefined || step < 1 || from > to) {
      return undefined;
    }
    for (let value = from; value <= to; value += step) {
      result.add(value);
    }
  }
  return [...result].sort((a, b) => a - b);
}

/**
 * Whether a cron expression's day fields are one AWS accepts: a day of the month or a day of
 * the week, the other `?` (EventBridge cron expressions reference: `*` in one needs `?` in the
 * other, and both cannot be given). AWS Backup and DLM take the same expressions.
 */
export function dayFieldsHaveQuestionMark(domField: string, dowField: string): boolean {
  return domField === '?' || dowField === '?';
}
