/**
 * What a command needs from the process: its output streams, environment and clock. Commands
 * take these as an argument so that tests can pass their own.
 */

/** Where a command writes, and whether it is a terminal. */
export interface Output {
  write(text: string): void;
  readonly isTTY: boolean;
}

/** The process's streams, environment and clock. */
export interface ProcessIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** The real process's streams, environment and clock. */
export function processIo(): ProcessIo {
  return {
    stdout: { write: (text) => process.stdout.write(text), isTTY: process.stdout.isTTY === true },
    stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    env: process.env,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}
