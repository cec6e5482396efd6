/**
 * Asks for a password on the terminal without echoing it (no npm packages).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { ProgressStream } from './progress';

/** The person interrupted the prompt (Ctrl-C) or closed the input (Ctrl-D) before answering. */
export class PromptCancelled extends Error {}

/**
 * Writes `question` to `output` and reads one line from `input` (a terminal, put in raw mode
 * while it reads) without echoing what is typed.
 */
export async function askHidden(question: string, input: NodeJS.ReadableStream, output: ProgressStream): Promise<string> {
  output.write(question);
  // readline echoes what it reads to its output: a sink that drops everything hides the password.
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input, output: sink, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      let answered = false;
      reader.on('SIGINT', () => reject(new PromptCancelled('interrupted at the password prompt')));
      reader.on('close', () => {
        if (!answered) {
          reject(new PromptCancelled('the input ended before a password was typed'));
        }
      });
      reader.question('', (answer) => {
        answered = true;
        resolve(answer);
      });
    });
  } finally {
    reader.close();
    output.write('\n');
  }
}
