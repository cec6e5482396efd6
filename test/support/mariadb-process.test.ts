import { ChildProcess, spawn } from 'node:child_process';
import { startMariaDb, stopStartedServers } from './mariadb';
import { isServerOf, signalServerAndWait } from './mariadb-process';

afterAll(stopStartedServers);

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

describe('signalServerAndWait', () => {
  let sleeper: ChildProcess | undefined;
  afterEach(() => {
    if (sleeper && running(sleeper)) {
      process.kill(sleeper.pid!, 'SIGKILL');
    }
    sleeper = undefined;
  });

  test.each(['SIGTERM', 'SIGKILL'] as const)('does not send %s to a pid that now belongs to another process', async (signal) => {
    const server = await startMariaDb();
    await server.stop();
    // The system may give the stopped server's pid to any process: a `sleep` stands for it.
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    await new Promise((resolve) => sleeper!.once('spawn', resolve));

    expect(isServerOf(sleeper.pid!, server.baseDir)).toBe(false);
    expect(await signalServerAndWait(sleeper.pid!, server.baseDir, signal, 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running(sleeper)).toBe(true);
  }, 120_000);

  test('stops the mariadbd of the folder', async () => {
    const server = await startMariaDb();
    expect(isServerOf(server.pid, server.baseDir)).toBe(true);
    expect(await signalServerAndWait(server.pid, server.baseDir, 'SIGTERM', 30)).toBe(true);
    expect(isServerOf(server.pid, server.baseDir)).toBe(false);
    await server.stop();
  }, 120_000);
});
