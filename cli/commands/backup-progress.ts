/**
 * The progress display of `backup now`: one line per job (the dump workflow and each AWS
 * Backup job). On a terminal the lines are redrawn in place; in a pipe or a log a plain
 * timestamped line is written whenever a job's status changes.
 */
import type { Output } from './restore-progress';

/** What is shown of one job. */
export interface JobLine {
  /** Short name, e.g. `dump` or the resource's name. */
  readonly label: string;
  /** e.g. `RUNNING`, `SUCCEEDED`. */
  readonly status: string;
  /** Free text: the workflow step or the percentage done. */
  readonly detail: string;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const DONE = new Set(['SUCCEEDED', 'COMPLETED']);
const FAILED = new Set(['FAILED', 'ABORTED', 'EXPIRED', 'TIMED_OUT', 'PARTIAL']);

function mark(status: string, frame: number): string {
  if (DONE.has(status)) {
    return '✓';
  }
  if (FAILED.has(status)) {
    return '✗';
  }
  return SPINNER[frame % SPINNER.length];
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class JobsProgress {
  private frame = 0;
  private drawnLines = 0;
  private readonly lastPlain = new Map<string, string>();

  constructor(private readonly out: Output, private readonly started: number) {}

  /** Shows the current state of every job. */
  public update(jobs: JobLine[], now: number): void {
    this.frame += 1;
    if (this.out.isTTY) {
      const width = Math.max(...jobs.map((job) => job.label.length), 4);
      const lines = jobs.map((job) => `${mark(job.status, this.frame)} ${job.label.padEnd(width)}  ${job.status.padEnd(9)} ${job.detail}`);
      lines.push(`  ${clock(now - this.started)} elapsed`);
      const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
      this.out.write(`${up}${lines.map((line) => `\r\x1b[2K${line}\n`).join('')}`);
      this.drawnLines = lines.length;
      return;
    }
    for (const job of jobs) {
      const text = `${job.status} ${job.detail}`.trim();
      if (this.lastPlain.get(job.label) !== text) {
        this.lastPlain.set(job.label, text);
        this.out.write(`${new Date(now).toISOString()} ${job.label}: ${text}\n`);
      }
    }
  }
}
