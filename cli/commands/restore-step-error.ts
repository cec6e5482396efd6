import { ABORT_COMMAND_PATTERN, UPLOAD_NOTE_START } from '../../core/restore-workflows/objects';

/** A failed attempt's error is cut to this many characters in the progress notes. */
const NOTE_LENGTH = 200;

/**
 * The error of a failed attempt as a progress note: a long one is cut, but an upload a copy left
 * open is kept whole (its note, from `its multipart upload`, through the command that aborts it):
 * the attempt may be retried and succeed, and then this note is the only place the upload is named.
 */
export function stepErrorNote(message: string): string {
  if (message.length <= NOTE_LENGTH) {
    return message;
  }
  const kept: Array<[number, number]> = [[0, NOTE_LENGTH]];
  let previousCommandEnd = 0;
  for (const command of message.matchAll(new RegExp(ABORT_COMMAND_PATTERN.source, 'g'))) {
    const end = command.index + command[0].length;
    const noteStart = message.lastIndexOf(UPLOAD_NOTE_START, command.index);
    // A command without its own note (the last note found belongs to an earlier command) is kept alone.
    const start = noteStart >= previousCommandEnd ? noteStart : command.index;
    previousCommandEnd = end;
    const last = kept[kept.length - 1];
    if (start <= last[1]) {
      last[1] = Math.max(last[1], end);
    } else {
      kept.push([start, end]);
    }
  }
  const parts = kept.map(([start, end]) => message.slice(start, end));
  return `${parts.join(' … ')}${kept[kept.length - 1][1] < message.length ? ' …' : ''}`;
}
