import { StatementSplitter } from '../../lambda/restore-dump/sql-statements';

function split(text: string): string[] {
  const splitter = new StatementSplitter();
  return [...splitter.push(text), ...splitter.end()];
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
