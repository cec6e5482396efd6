import { KeySpec } from '../../../core/consistency/keys';
import { describeUnhealthy, parseReplicaStatus } from '../../../core/consistency/replication';
import { withTimeLimit } from '../../../core/consistency/session';

describe('parseReplicaStatus', () => {
  test('reads the MySQL 8.4 column names', () => {
    const health = parseReplicaStatus({
      Replica_IO_Running: 'Yes', Replica_SQL_Running: 'No', Seconds_Behind_Source: null, Source_Host: 'db-1', Source_Port: 3306,
      Last_IO_Errno: 0, Last_IO_Error: '', Last_SQL_Errno: 1032, Last_SQL_Error: "Could not execute Delete_rows event on table app.t; Can't find record",
    });
    expect(health).toEqual({
      configured: true, ioThreadRunning: true, sqlThreadRunning: false, ioState: 'Yes', sqlState: 'No', lagSeconds: null,
      lastError: "SQL error 1032: Could not execute Delete_rows event on table app.t; Can't find record", source: 'db-1:3306',
      channels: [expect.objectContaining({ channel: '', sqlThreadRunning: false })],
    });
    expect(describeUnhealthy(health)).toBe("replication is not running: the SQL thread is stopped (SQL error 1032: Could not execute Delete_rows event on table app.t; Can't find record)");
  });

  test('reads the MariaDB column names', () => {
    const health = parseReplicaStatus({
      Slave_IO_Running: 'Connecting', Slave_SQL_Running: 'Yes', Seconds_Behind_Master: 12, Master_Host: '127.0.0.1', Master_Port: 3307,
      Last_IO_Errno: 2003, Last_IO_Error: "error connecting to master 'tester@127.0.0.1:3307'", Last_SQL_Errno: 0, Last_SQL_Error: '',
    });
    expect(health).toMatchObject({ ioThreadRunning: false, sqlThreadRunning: true, ioState: 'Connecting', lagSeconds: 12, source: '127.0.0.1:3307' });
    expect(describeUnhealthy(health)).toBe("replication is not running: the IO thread is 'Connecting' (IO error 2003: error connecting to master 'tester@127.0.0.1:3307')");
  });

  test('a healthy replica has nothing to describe; a server that is no replica says so', () => {
    expect(describeUnhealthy(parseReplicaStatus({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Seconds_Behind_Master: 0 }))).toBe('');
    expect(parseReplicaStatus(undefined)).toMatchObject({ configured: false, lagSeconds: null });
    expect(describeUnhealthy(parseReplicaStatus(undefined))).toBe('the replica server is not configured as a replica (SHOW REPLICA STATUS is empty)');
  });
});

describe('parseReplicaStatus with several channels', () => {
  const channel = (name: string, fields: Record<string, unknown>): Record<string, unknown> => ({
    Channel_Name: name, Replica_IO_Running: 'Yes', Replica_SQL_Running: 'Yes', Seconds_Behind_Source: 0, Source_Host: `db-${name || 'default'}`, Source_Port: 3306,
    Last_IO_Errno: 0, Last_IO_Error: '', Last_SQL_Errno: 0, Last_SQL_Error: '', ...fields,
  });

  test('a channel that is not the first one with a stopped thread is unhealthy, and named', () => {
    const health = parseReplicaStatus([
      channel('', { Seconds_Behind_Source: 3 }),
      channel('orders', { Replica_SQL_Running: 'No', Seconds_Behind_Source: null, Last_SQL_Errno: 1062, Last_SQL_Error: "Duplicate entry '7' for key 'PRIMARY'" }),
    ]);
    expect(health).toMatchObject({ configured: true, ioThreadRunning: true, sqlThreadRunning: false, sqlState: 'No', lagSeconds: null, source: 'db-default:3306, db-orders:3306' });
    expect(health.channels.map((entry) => entry.channel)).toEqual(['', 'orders']);
    expect(describeUnhealthy(health)).toBe("replication is not running on channel 'orders': the SQL thread is stopped (SQL error 1062: Duplicate entry '7' for key 'PRIMARY')");
  });

  test('every broken channel is named; the lag of healthy channels is the largest', () => {
    const broken = parseReplicaStatus([
      channel('', { Replica_IO_Running: 'Connecting', Last_IO_Errno: 2003, Last_IO_Error: 'cannot connect' }),
      channel('b', { Replica_IO_Running: 'No', Replica_SQL_Running: 'No' }),
    ]);
    expect(describeUnhealthy(broken)).toBe("replication is not running on the default channel: the IO thread is 'Connecting' (IO error 2003: cannot connect); channel 'b': the IO thread is stopped and the SQL thread is stopped");
    const healthy = parseReplicaStatus([channel('', { Seconds_Behind_Source: 4 }), channel('b', { Seconds_Behind_Source: 250 }), channel('c', {})]);
    expect(describeUnhealthy(healthy)).toBe('');
    expect(healthy.lagSeconds).toBe(250);
  });
});

describe('KeySpec', () => {
  const columns = [
    { name: 'tenant', dataType: 'varchar', columnType: 'varchar(10)', nullable: false },
    { name: 'n', dataType: 'bigint', columnType: 'bigint(20) unsigned', nullable: false },
    { name: 'v', dataType: 'text', columnType: 'text', nullable: true },
  ];
  const spec = new KeySpec({ schema: 's', table: 't', columns, primaryKey: ['tenant', 'n'] });

  test('writes composite ranges in key order, integers exact and strings escaped', () => {
    expect(spec.rangeCondition({ after: ["o'b", '18446744073709551615'], through: null }))
      .toBe("((`tenant` > 'o\\'b') OR (`tenant` = 'o\\'b' AND `n` > 18446744073709551615))");
    expect(spec.rangeCondition({ after: null, through: ['b', 7] })).toBe("((`tenant` < 'b') OR (`tenant` = 'b' AND `n` <= 7))");
    expect(spec.rangeCondition({ after: null, through: null })).toBe('1 = 1');
    expect(spec.keysCondition([['a', 1], ['b', 2]])).toBe("(`tenant` = 'a' AND `n` = 1) OR (`tenant` = 'b' AND `n` = 2)");
    expect(spec.keysCondition([])).toBe('1 = 0');
    expect(spec.singleInteger).toBe(false);
  });

  test('writes a range of a single integer key bounded at both ends as one BETWEEN, exact up to 2^64', () => {
    const single = new KeySpec({ schema: 's', table: 't', columns: [{ name: 'id', dataType: 'bigint', columnType: 'bigint(20) unsigned', nullable: false }], primaryKey: ['id'] });
    expect(single.rangeCondition({ after: ['18446744073709551613'], through: ['18446744073709551615'] })).toBe('`id` BETWEEN 18446744073709551614 AND 18446744073709551615');
    expect(single.rangeCondition({ after: [-10n], through: [-1] })).toBe('`id` BETWEEN -9 AND -1');
    expect(single.rangeCondition({ after: ['5'], through: null })).toBe('(`id` > 5)');
    expect(single.rangeCondition({ after: null, through: ['5'] })).toBe('(`id` <= 5)');
    expect(single.rangeCondition({ after: ['x'], through: ['5'] })).toBe("(`id` > 'x') AND (`id` <= 5)");
  });

  test('reads BIT, ENUM and SET keys as numbers and FLOAT keys as DOUBLE, and writes them back exactly', () => {
    const typed = new KeySpec({
      schema: 's', table: 't', primaryKey: ['b', 'e', 's', 'f'], columns: [
        { name: 'b', dataType: 'bit', columnType: 'bit(16)', nullable: false },
        { name: 'e', dataType: 'enum', columnType: "enum('Open','it''s')", nullable: false },
        { name: 's', dataType: 'set', columnType: "set('x','y','z')", nullable: false },
        { name: 'f', dataType: 'float', columnType: 'float', nullable: false },
      ],
    });
    expect(typed.selectList).toBe('`b` + 0, `e` + 0, `s` + 0, CAST(`f` AS DOUBLE)');
    expect(typed.columnList).toBe('`b`, `e`, `s`, `f`');
    expect(typed.keysCondition([['7', 2, 5, 0.30000001192092896]])).toBe('(`b` = 7 AND `e` = 2 AND `s` = 5 AND `f` = 0.30000001192092896e0)');
    expect(typed.literal(3, 1e-7)).toBe('1e-7');
    expect(typed.keyObject(['7', 2, 5, 0.5])).toEqual({ b: '7', e: "it's", s: 'x,z', f: 0.5 });
    expect(typed.keyObject(['0', 0, 0, 1])).toEqual({ b: '0', e: '', s: '', f: 1 });
  });

  test('reports keys as objects, binary as hex', () => {
    expect(spec.keyObject([Buffer.from([0xde, 0xad]), 5])).toEqual({ tenant: '0xdead', n: 5 });
    expect(spec.keyString([Buffer.from('ab'), 1])).toBe(spec.keyString([Buffer.from('ab'), 1]));
    expect(spec.keyString(['a', 11])).not.toBe(spec.keyString(['a1', 1]));
    expect(() => new KeySpec({ schema: 's', table: 't', columns, primaryKey: [] })).toThrow('table s.t has no primary key');
  });
});

describe('withTimeLimit', () => {
  test('bounds a SELECT with SET STATEMENT max_statement_time (seconds) on MariaDB and the MAX_EXECUTION_TIME hint (milliseconds) on MySQL', () => {
    expect(withTimeLimit('mariadb', 'SELECT COUNT(*) FROM `s`.`t` WHERE 1 = 1', 1234.2)).toBe('SET STATEMENT max_statement_time = 1.235 FOR SELECT COUNT(*) FROM `s`.`t` WHERE 1 = 1');
    expect(withTimeLimit('mysql', 'SELECT COUNT(*) FROM `s`.`t` WHERE 1 = 1', 1234.2)).toBe('SELECT /*+ MAX_EXECUTION_TIME(1235) */ COUNT(*) FROM `s`.`t` WHERE 1 = 1');
  });

  test('never writes a limit of 0, which both servers read as no limit', () => {
    expect(withTimeLimit('mariadb', 'SELECT 1', 0.2)).toBe('SET STATEMENT max_statement_time = 0.001 FOR SELECT 1');
    expect(withTimeLimit('mysql', 'SELECT 1', 0)).toBe('SELECT /*+ MAX_EXECUTION_TIME(1) */ 1');
    expect(() => withTimeLimit('mysql', 'SHOW TABLES', 10)).toThrow('only a SELECT statement can be given a time limit');
  });
});
