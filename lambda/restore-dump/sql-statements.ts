/**
 * Splits the text of a `mysqldump` / `mariadb-dump` file into the statements the `mysql`
 * client would send, one at a time, while the file streams in.
 *
 * The text is expected as a latin1 ("binary") string, one character per byte: every
 * token the splitter looks for is ASCII, so multi-byte UTF-8 characters and raw binary
 * column values pass through unchanged and are sent back to the server byte for byte.
 *
 * It understands what dump files contain: quoted strings with backslash escapes,
 * back-quoted identifiers, `-- ` and `#` line comments, block comments (executable
 * `/*!50003 ... *\/` comments count as content) and the client's `DELIMITER` command that
 * dumps use around triggers and routines.
 *
 * Inside an executable comment the text is read as the server reads SQL: in the bodies of
 * triggers and events, which dumps wrap in one, strings, line comments and plain block
 * comments hide the quotes, `*\/` and delimiters they hold. Line comments are dropped there
 * too, as the `mysql` client drops them.
 */

enum Scan { Normal, SingleQuote, DoubleQuote, Backtick, BlockComment, ExecutableComment }

const DELIMITER_COMMAND = /^\s*delimiter\s+(\S+)\s*$/i;

export class StatementSplitter {
  /**
   * Whether `\` is an ordinary character in strings (the session's NO_BACKSLASH_ESCAPES, which
   * a dump sets around triggers and routines created in that mode). The loader sets it from
   * the server's status after each statement, as the `mysql` client does.
   */
  public noBackslashEscapes = false;
  private delimiter = ';';
  private state: Scan = Scan.Normal;
  private statement = '';
  private hasContent = false;
  /** Inside an executable comment: its text is SQL, so a quote in it hides a `*\/` too. */
  private inExecutable = false;
  /** Whole lines not scanned yet, from `offset`; `atLineStart` when `offset` starts a line. */
  private lines = '';
  private offset = 0;
  private atLineStart = true;
  /** Text after the last newline pushed (a long line grows here without being copied at each push). */
  private partial = '';
  private ended = false;
  private finished = false;
  private completed: string | undefined;

  /** Adds the next piece of the file; read the statements it completes with {@link next}. */
  public push(text: string): void {
    const newline = text.lastIndexOf('\n');
    if (newline < 0) {
      this.partial += text;
      return;
    }
    this.lines = this.lines.slice(this.offset) + this.partial + text.slice(0, newline + 1);
    this.offset = 0;
    this.partial = text.slice(newline + 1);
  }

  /** Ends the file: {@link next} then returns the last statement when it had no delimiter. */
  public end(): void {
    this.ended = true;
  }

  /**
   * The next complete statement, or undefined when the text pushed so far holds no more
   * (after {@link end}: when the file holds no more). Text after a statement is scanned only
   * when the next one is asked for, so a session change made by running a statement (see
   * {@link noBackslashEscapes}) applies to the statements after it.
   */
  public next(): string | undefined {
    while (!this.finished) {
      if (this.offset >= this.lines.length) {
        if (!this.ended) {
          return undefined;
        }
        if (!this.partial) {
          return this.finish();
        }
        // The last line of a file that does not end with a newline.
        this.lines = this.partial;
        this.offset = 0;
        this.partial = '';
      }
      const newline = this.lines.indexOf('\n', this.offset);
      const line = this.lines.slice(this.offset, newline < 0 ? this.lines.length : newline + 1);
      const consumed = this.scanLine(line);
      this.offset += consumed;
      this.atLineStart = consumed === line.length;
      if (this.completed !== undefined) {
        const statement = this.completed;
        this.completed = undefined;
        return statement;
      }
    }
    return undefined;
  }

  private finish(): string | undefined {
    this.finished = true;
    if (this.inExecutable || (this.state !== Scan.Normal && this.state !== Scan.BlockComment)) {
      throw new Error(`the dump ends inside ${describeState(this.inExecutable ? Scan.ExecutableComment : this.state)}: the file is truncated`);
    }
    return this.hasContent ? this.statement.trim() : undefined;
  }

  /** Scans a line, or the rest of one, up to the end of the first statement it completes; returns the characters scanned. */
  private scanLine(line: string): number {
    if (this.atLineStart && this.state === Scan.Normal && !this.hasContent) {
      const command = DELIMITER_COMMAND.exec(line);
      if (command) {
        this.delimiter = command[1];
        this.statement = '';
        return line.length;
      }
    }
    const delimiter = this.delimiter;
    const first = delimiter.charCodeAt(0);
    let segmentStart = 0;
    const length = line.length;
    for (let i = 0; i < length; i++) {
      const c = line.charCodeAt(i);
      switch (this.state) {
        case Scan.Normal:
          if (c === first && line.startsWith(delimiter, i)) {
            this.statement += line.slice(segmentStart, i);
            const hadContent = this.hasContent;
            const statement = this.statement.trim();
            this.statement = '';
            this.hasContent = false;
            if (hadContent) {
              this.completed = statement;
              return i + delimiter.length;
            }
            i += delimiter.length - 1;
            segmentStart = i + 1;
          } else if (c === 0x27 /* ' */) {
            this.state = Scan.SingleQuote;
            this.hasContent = true;
          } else if (c === 0x22 /* " */) {
            this.state = Scan.DoubleQuote;
            this.hasContent = true;
          } else if (c === 0x60 /* ` */) {
            this.state = Scan.Backtick;
            this.hasContent = true;
          } else if (startsLineComment(line, i)) {
            // A line comment: keep the text before it, drop the rest of the line.
            this.statement += line.slice(segmentStart, i) + '\n';
            segmentStart = length;
            i = length;
          } else if (c === 0x2f /* / */ && line.charCodeAt(i + 1) === 0x2a /* * */) {
            const executable = line.charCodeAt(i + 2) === 0x21 /* ! */ || (line.charCodeAt(i + 2) === 0x4d /* M */ && line.charCodeAt(i + 3) === 0x21);
            this.state = executable ? Scan.ExecutableComment : Scan.BlockComment;
            if (executable) {
              this.hasContent = true;
              this.inExecutable = true;
            }
            i += 1;
          } else if (c > 0x20) {
            this.hasContent = true;
          }
          break;
        case Scan.SingleQuote:
        case Scan.DoubleQuote:
          if (c === 0x5c /* \ */ && !this.noBackslashEscapes) {
            i += 1;
          } else if ((c === 0x27 && this.state === Scan.SingleQuote) || (c === 0x22 && this.state === Scan.DoubleQuote)) {
            // A doubled quote ('' or "") is an escaped quote: stay inside the string.
            if (line.charCodeAt(i + 1) === c) {
              i += 1;
            } else {
              this.state = this.inExecutable ? Scan.ExecutableComment : Scan.Normal;
            }
          }
          break;
        case Scan.Backtick:
          if (c === 0x60) {
            if (line.charCodeAt(i + 1) === 0x60) {
              i += 1;
            } else {
              this.state = this.inExecutable ? Scan.ExecutableComment : Scan.Normal;
            }
          }
          break;
        case Scan.ExecutableComment:
          if (c === 0x27 /* ' */) {
            this.state = Scan.SingleQuote;
          } else if (c === 0x22 /* " */) {
            this.state = Scan.DoubleQuote;
          } else if (c === 0x60 /* ` */) {
            this.state = Scan.Backtick;
          } else if (startsLineComment(line, i)) {
            // The server skips a line comment to the end of the line, a `*/` in it included.
            this.statement += line.slice(segmentStart, i) + '\n';
            segmentStart = length;
            i = length;
          } else if (c === 0x2f /* / */ && line.charCodeAt(i + 1) === 0x2a /* * */) {
            // A plain comment inside: its first `*/` ends it, not the executable comment.
            this.state = Scan.BlockComment;
            i += 1;
          } else if (c === 0x2a /* * */ && line.charCodeAt(i + 1) === 0x2f /* / */) {
            this.state = Scan.Normal;
            this.inExecutable = false;
            i += 1;
          }
          break;
        case Scan.BlockComment:
          if (c === 0x2a /* * */ && line.charCodeAt(i + 1) === 0x2f /* / */) {
            this.state = this.inExecutable ? Scan.ExecutableComment : Scan.Normal;
            i += 1;
          }
          break;
      }
    }
    if (segmentStart < length) {
      this.statement += line.slice(segmentStart);
    }
    return length;
  }
}

/** Whether a `#` or `-- ` line comment starts at `i`. */
function startsLineComment(line: string, i: number): boolean {
  const c = line.charCodeAt(i);
  return c === 0x23 /* # */ || (c === 0x2d /* - */ && line.charCodeAt(i + 1) === 0x2d && isCommentSpace(line.charCodeAt(i + 2)));
}

function isCommentSpace(code: number): boolean {
  // `--` starts a comment only when followed by whitespace or a control character (or the end of the line).
  return Number.isNaN(code) || code <= 0x20;
}

function describeState(state: Scan): string {
  switch (state) {
    case Scan.SingleQuote: return 'a single-quoted string';
    case Scan.DoubleQuote: return 'a double-quoted string';
    case Scan.Backtick: return 'a back-quoted identifier';
    case Scan.ExecutableComment: return 'an executable comment';
    default: return 'a comment';
  }
}

// Leading plain comments and MariaDB's `/*M!999999\- enable the sandbox mode */` line are skipped.
const SESSION_STATEMENT = /^(?:\s*\/\*(?:[^!M]|M!999999)[\s\S]*?\*\/)*\s*(?:\/\*[!M]*\d*\s*)?(?:SET|USE)\b/i;

/**
 * Whether a statement only changes the session (`SET ...`, `USE db`, also inside an
 * executable comment). A resumed load replays these so the session matches the one the
 * skipped statements ran in; every other statement already applied is skipped.
 */
export function isSessionStatement(statement: string): boolean {
  return SESSION_STATEMENT.test(statement);
}
