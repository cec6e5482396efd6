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
  private delimiter = ';';
  private state: Scan = Scan.Normal;
  private statement = '';
  private hasContent = false;
  private pendingLine = '';
  /** Inside an executable comment: its text is SQL, so a quote in it hides a `*\/` too. */
  private inExecutable = false;

  /** Adds the next piece of the file and returns the statements it completed. */
  public push(text: string): string[] {
    const statements: string[] = [];
    let start = 0;
    let newline = text.indexOf('\n', start);
    if (newline < 0) {
      this.pendingLine += text;
      return statements;
    }
    while (newline >= 0) {
      const line = this.pendingLine + text.slice(start, newline + 1);
      this.pendingLine = '';
      this.scanLine(line, statements);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.pendingLine = text.slice(start);
    return statements;
  }

  /** Ends the file: returns the last statement when it had no delimiter. */
  public end(): string[] {
    const statements: string[] = [];
    if (this.pendingLine) {
      const line = this.pendingLine;
      this.pendingLine = '';
      this.scanLine(line, statements);
    }
    if (this.inExecutable || (this.state !== Scan.Normal && this.state !== Scan.BlockComment)) {
      throw new Error(`the dump ends inside ${describeState(this.inExecutable ? Scan.ExecutableComment : this.state)}: the file is truncated`);
    }
    if (this.hasContent) {
      statements.push(this.statement.trim());
    }
    this.statement = '';
    this.hasContent = false;
    return statements;
  }

  private scanLine(line: string, statements: string[]): void {
    if (this.state === Scan.Normal && !this.hasContent) {
      const command = DELIMITER_COMMAND.exec(line);
      if (command) {
        this.delimiter = command[1];
        this.statement = '';
        return;
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
            if (this.hasContent) {
              statements.push(this.statement.trim());
            }
            this.statement = '';
            this.hasContent = false;
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
          if (c === 0x5c /* \ */) {
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
