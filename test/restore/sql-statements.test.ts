import { StatementSplitter } from '../../lambda/restore-dump/sql-statements';

function drain(splitter: StatementSplitter): string[] {
  const statements: string[] = [];
  for (let statement = splitter.next(); statement !== undefined; statement = splitter.next()) {
    statements.push(statement);
  }
  return statements;
}

function split(text: string): string[] {
  const splitter = new StatementSplitter();
  splitter.push(text);
  splitter.end();
  return drain(splitter);
}

test('a quoted */ inside an executable comment does not end the comment', () => {
  expect(split("/*!40101 SET @note = 'a */ b' */;\nSELECT 1;\n")).toEqual(["/*!40101 SET @note = 'a */ b' */", 'SELECT 1']);
});

test('a trigger body in executable comments keeps its quoted */ and delimiter text', () => {
  const dump = [
    'DELIMITER ;;',
    "/*!50003 CREATE*/ /*!50003 TRIGGER t.tr BEFORE INSERT ON t.t FOR EACH ROW SET NEW.note = 'ends */ here;; or not', NEW.`odd*/name` = 1 */;;",
    'DELIMITER ;',
    'INSERT INTO t.t VALUES (1);',
    '',
  ].join('\n');
  expect(split(dump)).toEqual([
    "/*!50003 CREATE*/ /*!50003 TRIGGER t.tr BEFORE INSERT ON t.t FOR EACH ROW SET NEW.note = 'ends */ here;; or not', NEW.`odd*/name` = 1 */",
    'INSERT INTO t.t VALUES (1)',
  ]);
});

test('a line comment inside an executable comment hides its quotes, delimiters and */ and is dropped', () => {
  const dump = [
    'DELIMITER ;;',
    "/*!50003 CREATE*/ /*!50003 TRIGGER t.tr BEFORE INSERT ON t.t FOR EACH ROW BEGIN",
    "  -- the note's default;; see */ below",
    '  SET NEW.note = 1; # don\'t "touch" ;; */',
    'END */;;',
    'DELIMITER ;',
    "INSERT INTO t.t VALUES ('a');",
    '',
  ].join('\n');
  expect(split(dump)).toEqual([
    '/*!50003 CREATE*/ /*!50003 TRIGGER t.tr BEFORE INSERT ON t.t FOR EACH ROW BEGIN\n  \n  SET NEW.note = 1; \nEND */',
    "INSERT INTO t.t VALUES ('a')",
  ]);
});

test('a block comment inside an executable comment ends at its own */ and hides its quotes', () => {
  const dump = "/*!50106 EVENT e DO /* it's ;; done */ DELETE FROM t.t WHERE note = '*/' */;\nSELECT 1;\n";
  expect(split(dump)).toEqual([
    "/*!50106 EVENT e DO /* it's ;; done */ DELETE FROM t.t WHERE note = '*/' */",
    'SELECT 1',
  ]);
});

test('-- without a space and a # inside a string are not comments inside an executable comment', () => {
  expect(split("/*!50003 SET @a = 1--1, @b = '# not; a comment' */;\nSELECT 2;\n")).toEqual([
    "/*!50003 SET @a = 1--1, @b = '# not; a comment' */",
    'SELECT 2',
  ]);
});

test('a DELIMITER line inside an executable comment is text of the statement, not a command', () => {
  expect(split('/*!50003 SET @a = 1,\ndelimiter ;;\n*/;\nSELECT 1;\n')).toEqual([
    '/*!50003 SET @a = 1,\ndelimiter ;;\n*/',
    'SELECT 1',
  ]);
});

test('a dump that ends inside an executable comment after a block comment in it is truncated', () => {
  expect(() => split('/*!50003 SET @a = 1 /* the end of this comment is not the end of the dump */')).toThrow('the dump ends inside an executable comment: the file is truncated');
  expect(() => split('/*!50003 SET @a = 1 /* unfinished')).toThrow('the dump ends inside an executable comment: the file is truncated');
});

test('pieces pushed at any boundary give the statements of the whole text', () => {
  const dump = [
    '-- MariaDB dump',
    "/*!40101 SET NAMES utf8mb4 */;",
    "INSERT INTO t.t VALUES (1,'a;b\\'c'),(2,'-- no');INSERT INTO t.t VALUES (3,'#');",
    'DELIMITER ;;',
    "/*!50003 CREATE*/ /*!50003 TRIGGER t.tr BEFORE INSERT ON t.t FOR EACH ROW BEGIN",
    "  -- it's here;; */",
    "  SET NEW.note = 'x;;y'; /* it's */",
    'END */;;',
    'DELIMITER ;',
    'SELECT 1',
  ].join('\n');
  const whole = split(dump);
  expect(whole).toHaveLength(5);
  for (const size of [1, 2, 7, 64]) {
    const splitter = new StatementSplitter();
    const statements: string[] = [];
    for (let start = 0; start < dump.length; start += size) {
      splitter.push(dump.slice(start, start + size));
      statements.push(...drain(splitter));
    }
    splitter.end();
    statements.push(...drain(splitter));
    expect([size, statements]).toEqual([size, whole]);
  }
});

test('with noBackslashEscapes a backslash is an ordinary character, from the statement after the one that set it', () => {
  const splitter = new StatementSplitter();
  splitter.push("SET sql_mode = 'NO_BACKSLASH_ESCAPES';\nINSERT INTO t.t VALUES ('C:\\');\nSELECT 1;\n");
  splitter.end();
  expect(splitter.next()).toBe("SET sql_mode = 'NO_BACKSLASH_ESCAPES'");
  // What the loader does with the server's status after running it.
  splitter.noBackslashEscapes = true;
  expect(drain(splitter)).toEqual(["INSERT INTO t.t VALUES ('C:\\')", 'SELECT 1']);
});
