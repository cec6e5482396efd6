import { execFileSync } from 'node:child_process';

/** The arguments a POSIX shell (`/bin/sh`) passes to `aws` when it runs the command, `aws` standing in as a function that prints them. */
export function awsArgumentsOf(command: string): string[] {
  const printed = execFileSync('/bin/sh', ['-c', `aws() { printf '%s\\0' "$@"; }\n${command}`], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  return printed.split('\0').slice(0, -1);
}
