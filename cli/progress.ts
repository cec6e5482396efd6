/**
 * A small progress renderer for the CLI's long-running commands (no npm packages).
 *
 * On a TTY it redraws one line per task: `label [#########.........]  45%  450,000/1,000,000 rows`,
 * at most ten times a second, and leaves the final line in place. When the stream is not a
 * TTY (a pipe, a CI log) it prints plain lines only: one when a task finishes, and notes.
 */

/** Where the renderer writes: `process.stderr` by default. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Renders the progress of one task at a time. */
export class ProgressRenderer {
  private label = '';
  private total = 0;
  private done = 0;
  private unit = '';
  private active = false;
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(private readonly stream: ProgressStream = process.stderr, private readonly minIntervalMs = 100) {
    this.tty = stream.isTTY === true;
  }

  /** Starts a task; `total` may be an estimate (the bar stops at 99% until `finish`). */
  public start(label: string, total: number, unit = 'rows'): void {
    this.label = label;
    this.total = Math.max(0, total);
    this.done = 0;
    this.unit = unit;
    this.active = true;
    this.lastDraw = 0;
    this.draw(true);
  }

  /** Reports the amount done so far. */
  public update(done: number): void {
    this.done = done;
    this.draw(false);
  }

  /**
   * Ends the current task with a short result (`ok`, `DRIFT: 3 rows`, ...) and the amount done:
   * `done` when given (a task that reported none on the way), none at all when `null` (nothing counted).
   */
  public finish(result: string, done?: number | null): void {
    if (!this.active) {
      return;
    }
    this.active = false;
    const amount = done === null ? '' : `  (${formatCount(done ?? this.done)} ${this.unit})`;
    const line = `${this.label}  ${result}${amount}`;
    this.stream.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  /** Prints a message on its own line (above the bar on a TTY). */
  public note(message: string): void {
    if (this.tty && this.active) {
      this.stream.write(`\r\x1b[2K${message}\n`);
      this.draw(true);
    } else {
      this.stream.write(`${message}\n`);
    }
  }

  private draw(force: boolean): void {
    if (!this.tty || !this.active) {
      return;
    }
    const now = Date.now();
    if (!force && now - this.lastDraw < this.minIntervalMs) {
      return;
    }
    this.lastDraw = now;
    this.stream.write(`\r\x1b[2K${renderBar(this.label, this.done, this.total, this.unit, this.stream.columns ?? 80)}`);
  }
}

/** 1234567 -> '1,234,567'. */
export function formatCount(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** One bar line, fitted to `columns` characters. */
export function renderBar(label: string, done: number, total: number, unit: string, columns: number): string {
  const fraction = total > 0 ? Math.min(0.99, done / total) : 0;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const counts = `${formatCount(done)}${total > 0 ? `/${formatCount(total)}` : ''} ${unit}`;
  const room = Math.max(10, Math.min(40, columns - label.length - percent.length - counts.length - 8));
  const filled = Math.round(fraction * room);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(room - filled)}] ${percent}  ${counts}`.slice(0, Math.max(20, columns - 1));
}
