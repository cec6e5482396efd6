/**
 * A function's settings from its environment variables (set by its construct, or read from the
 * deployed function by the CLI's dry run): a variable that is missing or malformed is an error
 * naming the function, the variable, its value and what is allowed.
 */
import { commaList } from './comma-list';

export class EnvironmentSettings {
  /** `owner` starts every error, e.g. `restore-dump`. */
  constructor(private readonly owner: string, private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** A variable that must be set and not empty. */
  public required(name: string): string {
    const value = this.env[name];
    if (!value) {
      throw new Error(`${this.owner}: environment variable ${name} is not set`);
    }
    return value;
  }

  /** A variable that may be unset; empty counts as unset. */
  public optional(name: string): string | undefined {
    return this.env[name] || undefined;
  }

  /** A comma-separated list (trimmed, without empty entries); unset is an empty list unless `required`. */
  public list(name: string, options: { readonly required?: boolean } = {}): string[] {
    return commaList(options.required ? this.required(name) : this.env[name]);
  }

  /**
   * A number of `unit` from `min` (inclusive) up, whole unless `fractional`; `fallback` when the
   * variable is unset or empty, which is an error when there is no fallback.
   */
  public number(name: string, rule: { readonly unit: string; readonly min: number; readonly fractional?: boolean }, fallback?: number): number {
    const text = fallback === undefined ? this.required(name) : this.optional(name);
    if (text === undefined) {
      return fallback!;
    }
    const value = Number(text);
    if (!Number.isFinite(value) || value < rule.min || (!rule.fractional && !Number.isInteger(value))) {
      const kind = rule.fractional ? 'a number' : 'a whole number';
      throw new Error(`${this.owner}: ${name} must be ${kind} of ${rule.unit} of at least ${rule.min}, got '${text}'`);
    }
    return value;
  }
}
