/**
 * Shows the steps of a restore execution as they progress: on a terminal, one spinner line
 * rewritten in place (step name, its number in the order first entered, elapsed time) with a
 * line per finished step; in a pipe or a log, plain timestamped lines only, written when a step
 * is entered for the first time, when the one before it ends, for a note and at the end: a
 * polling loop's states, entered again at each poll, write nothing more.
 */

import type { Output } from '../process-io';

export type { Output };

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export class StepProgress {
  private frame = 0;
  private current?: { name: string; since: number; step: number };
  /** Each state's step number, in the order first entered: a polling loop enters its states again and again. */
  private readonly steps = new Map<string, number>();
  private lineShown = false;

  constructor(private readonly out: Output, private readonly started: number, private readonly now: () => number = Date.now) {}

  /** A state was entered; one entered before (a polling loop's) keeps its step number. */
  public enter(name: string, at: number): void {
    if (this.current?.name === name) {
      return;
    }
    const again = this.steps.has(name);
    if (this.current && (this.out.isTTY || !again)) {
      this.finishLine(`✓ ${this.current.name} (${clock((at - this.current.since) / 1000)})`, `${new Date(at).toISOString()} done  ${this.current.name}`);
    }
    if (!again) {
      this.steps.set(name, this.steps.size + 1);
    }
    this.current = { name, since: at, step: this.steps.get(name)! };
    if (!this.out.isTTY && !again) {
      this.out.write(`${new Date(at).toISOString()} step  ${name}\n`);
    }
    this.render();
  }

  /** A retry or a failed attempt inside a step. */
  public note(message: string, at: number): void {
    this.finishLine(`! ${message}`, `${new Date(at).toISOString()} note  ${message}`);
    this.render();
  }

  /** Redraws the spinner line (terminal only). */
  public render(): void {
    if (!this.out.isTTY || !this.current) {
      return;
    }
    this.frame = (this.frame + 1) % FRAMES.length;
    const elapsed = clock((this.now() - this.started) / 1000);
    this.out.write(`\r\x1b[2K${FRAMES[this.frame]} ${this.current.name}  [step ${this.current.step}, ${elapsed} elapsed]`);
    this.lineShown = true;
  }

  /** Ends the display (the last step is closed with the execution's outcome). */
  public finish(outcome: string, at: number): void {
    if (this.current) {
      this.finishLine(`${outcome === 'SUCCEEDED' ? '✓' : '✗'} ${this.current.name} (${clock((at - this.current.since) / 1000)})`, `${new Date(at).toISOString()} ${outcome === 'SUCCEEDED' ? 'done ' : 'fail '} ${this.current.name}`);
      this.current = undefined;
    }
  }

  private finishLine(tty: string, plain: string): void {
    if (this.out.isTTY) {
      this.out.write(`${this.lineShown ? '\r\x1b[2K' : ''}${tty}\n`);
      this.lineShown = false;
    } else {
      this.out.write(`${plain}\n`);
    }
  }
}
