/**
 * The README's examples against the real API: platform teams copy them verbatim.
 *
 * TypeScript: every ```ts block is type-checked, in one compiler program held in memory,
 * with the settings of tsconfig.dev.json and `cdk-backup-dr` resolved to lib/index.ts.
 * A block is either a whole program (it imports and declares every name it uses) or a
 * fragment marked by an HTML comment on the last non-blank line before its fence:
 *
 *   <!-- example-context: this, stack, database, Duration -->
 *
 * Each name listed is imported from CONTEXT below: a declared value of the type the README
 * implies (`stack`, `vpc`, `database` ...), a namespace (`sns`, `events` ...) or any export of
 * aws-cdk-lib's core and of cdk-backup-dr itself. The name `this` makes the block the body of
 * the constructor of a `Stack` subclass. A name a block uses that is neither declared nor listed
 * fails the block ("Cannot find name"), as does a listed name CONTEXT does not have. Unused
 * locals are allowed (a fragment shows a value without using it); no block is skipped.
 *
 * Shell: each `cdk-backup-dr <command> ...` line of a ```sh block (after an optional `npx`,
 * with its `\` continuations and its `#` comment) names only options that command takes, as
 * its --help lists them (test/cli/help-matches-parser.test.ts holds each help to its parser);
 * for `restore db|volume|objects`, the options of that target's usage lines and the common ones,
 * and for `restore db --<source>`, of that source's line (a `#` comment may name the others).
 */
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as ts from 'typescript';
import { runBackup } from '../cli/commands/backup';
import { run as runCheck } from '../cli/commands/check';
import { run as runReport } from '../cli/commands/report';
import { runRestore } from '../cli/commands/restore';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const README_LINES = README.split('\n');

/** What a fragment may name, as one module; the generated files import from it. */
const CONTEXT = `
import { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { BackupBuckets, BackupVaults, DatabaseRestore, ReplicatedMySql } from 'cdk-backup-dr';

export * from 'aws-cdk-lib';
export * from 'cdk-backup-dr';
export * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
export * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
export { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
export * as ec2 from 'aws-cdk-lib/aws-ec2';
export * as events from 'aws-cdk-lib/aws-events';
export * as targets from 'aws-cdk-lib/aws-events-targets';
export * as iam from 'aws-cdk-lib/aws-iam';
export * as kms from 'aws-cdk-lib/aws-kms';
export * as s3 from 'aws-cdk-lib/aws-s3';
export * as sns from 'aws-cdk-lib/aws-sns';
export * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';

export declare const stack: Stack;
export declare const recoveryStack: Stack;
export declare const vpc: ec2.IVpc;
export declare const database: ReplicatedMySql;
export declare const db: ReplicatedMySql;
export declare const buckets: BackupBuckets;
export declare const backupVaults: BackupVaults;
export declare const vaults: BackupVaults;
export declare const restore: DatabaseRestore;
export declare const key: kms.IKey;
export declare const encryptionKey: kms.IKey;
export declare const topic: sns.ITopic;
export declare const alarmTopic: sns.ITopic;
export declare const onCallRole: iam.IRole;
export declare const appVolume: ec2.IVolume;
export declare const bucket: s3.IBucket;
export declare const dumpBucket: s3.IBucket;
export declare const archiveBucket: s3.IBucket;
export declare const scratchBucket: s3.IBucket;
export declare const staleBackupsAlarm: cloudwatch.Alarm;
/** The base of a block marked \`this\`. */
export class ExampleStackBase extends Stack {}
`;

interface Fence {
  /** The 1-based README line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly indent: string;
  /** The lines between the fences, with their 1-based README line numbers. */
  readonly body: Array<{ readonly text: string; readonly line: number }>;
  /** The names of an example-context comment on the last non-blank line before the fence. */
  readonly context?: string[];
}

const CONTEXT_COMMENT = /^\s*<!--\s*example-context:\s*(.*?)\s*-->\s*$/;

function fences(): Fence[] {
  const found: Fence[] = [];
  for (let i = 0; i < README_LINES.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(README_LINES[i]);
    if (!open) {
      continue;
    }
    const [, indent, language] = open;
    const body: Fence['body'][number][] = [];
    let end = i + 1;
    while (end < README_LINES.length && !new RegExp(`^${indent}\`\`\`\\s*$`).test(README_LINES[end])) {
      body.push({ text: README_LINES[end].startsWith(indent) ? README_LINES[end].slice(indent.length) : README_LINES[end], line: end + 1 });
      end++;
    }
    if (end === README_LINES.length) {
      throw new Error(`README.md:${i + 1}: the code block is not closed`);
    }
    let previous = i - 1;
    while (previous >= 0 && README_LINES[previous].trim() === '') {
      previous--;
    }
    const comment = previous >= 0 ? CONTEXT_COMMENT.exec(README_LINES[previous]) : null;
    found.push({ line: i + 1, language, indent, body, context: comment ? comment[1].split(/[\s,]+/).filter((name) => name.length > 0) : undefined });
    i = end;
  }
  return found;
}

const FENCES = fences();
const TS_BLOCKS = FENCES.filter((fence) => fence.language === 'ts' || fence.language === 'typescript');
const SH_BLOCKS = FENCES.filter((fence) => fence.language === 'sh' || fence.language === 'bash' || fence.language === 'shell');

/** A generated file: each line with the README line it came from (an added line: its fence's, or the line before). */
type SourceLine = { readonly text: string; readonly line: number };

function exampleFile(block: Fence): SourceLine[] {
  const names = (block.context ?? []).filter((name) => name !== 'this');
  const asStackBody = block.context?.includes('this') ?? false;
  // A block that is a constructor's body has its (one-line) imports moved out of the class.
  const imports = asStackBody ? block.body.filter((line) => /^import\s/.test(line.text)) : [];
  const code = block.body.filter((line) => !imports.includes(line));
  const lines: SourceLine[] = [];
  // The block's own imports first (kept on their README lines), then the context it names.
  lines.push(...imports);
  if (names.length > 0) {
    lines.push({ text: `import { ${names.join(', ')} } from './readme-context';`, line: block.line - 1 });
  }
  if (asStackBody) {
    lines.push({ text: "import { ExampleStackBase as ExampleBase } from './readme-context';", line: block.line - 1 });
    lines.push({ text: 'export class Example extends ExampleBase {', line: block.line });
    lines.push({ text: '  constructor(scope: import(\'constructs\').Construct, id: string) {', line: block.line });
    lines.push({ text: '    super(scope, id);', line: block.line });
    lines.push(...code);
    lines.push({ text: '  }', line: block.line + block.body.length + 1 });
    lines.push({ text: '}', line: block.line + block.body.length + 1 });
  } else {
    lines.push(...code);
    lines.push({ text: 'export {};', line: block.line + block.body.length + 1 });
  }
  return lines;
}

const CONTEXT_FILE = join(ROOT, 'readme-context.ts');
const exampleFileName = (block: Fence): string => join(ROOT, `readme-example-line-${block.line}.ts`);

/** The diagnostics of every ts block, by its fence line, from one program. */
function typeCheck(): { global: string[]; byBlock: Map<number, string[]>; resolvedLibrary?: string } {
  const configPath = join(ROOT, 'tsconfig.dev.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (config.error) {
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  }
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    types: ['node'],
    paths: { 'cdk-backup-dr': [join(ROOT, 'lib', 'index.ts')] },
  };
  const generated = new Map<string, { text: string; lines?: SourceLine[]; block?: Fence }>();
  generated.set(CONTEXT_FILE, { text: CONTEXT });
  for (const block of TS_BLOCKS) {
    const lines = exampleFile(block);
    generated.set(exampleFileName(block), { text: lines.map((line) => line.text).join('\n'), lines, block });
  }
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => generated.has(path) || fileExists.call(host, path);
  host.readFile = (path) => generated.get(path)?.text ?? readFile.call(host, path);
  host.getSourceFile = (path, languageVersion, onError, shouldCreate) => {
    const file = generated.get(path);
    return file ? ts.createSourceFile(path, file.text, languageVersion, true) : getSourceFile.call(host, path, languageVersion, onError, shouldCreate);
  };
  const program = ts.createProgram({ rootNames: [...generated.keys()], options, host });
  const describe = (diagnostic: ts.Diagnostic): string => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(describe);
  const contextFile = program.getSourceFile(CONTEXT_FILE)!;
  global.push(...[...program.getSyntacticDiagnostics(contextFile), ...program.getSemanticDiagnostics(contextFile)].map((d) => `readme-context: ${describe(d)}`));
  const byBlock = new Map<number, string[]>();
  for (const [path, file] of generated) {
    if (!file.block) {
      continue;
    }
    const source = program.getSourceFile(path)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    byBlock.set(file.block.line, diagnostics.map((diagnostic) => {
      const at = diagnostic.start === undefined ? undefined : source.getLineAndCharacterOfPosition(diagnostic.start).line;
      return `README.md:${at === undefined ? file.block!.line : file.lines![at].line}: ${describe(diagnostic)}`;
    }));
  }
  const resolvedLibrary = ts.resolveModuleName('cdk-backup-dr', CONTEXT_FILE, options, host).resolvedModule?.resolvedFileName;
  return { global, byBlock, resolvedLibrary };
}

describe('the ts blocks of README.md type-check against the public API', () => {
  let result: ReturnType<typeof typeCheck>;
  beforeAll(() => {
    result = typeCheck();
  }, 300_000);

  test('every ts fence is found and no example-context comment stands apart from a ts block', () => {
    expect(TS_BLOCKS.length).toBe(README_LINES.filter((line) => /^\s*```(ts|typescript)\s*$/.test(line)).length);
    expect(TS_BLOCKS.length).toBeGreaterThan(0);
    const marked = new Set(TS_BLOCKS.filter((block) => block.context).map((block) => block.line));
    const comments = README_LINES.flatMap((line, index) => (CONTEXT_COMMENT.test(line) ? [index + 1] : []));
    const stray = comments.filter((line) => {
      const next = FENCES.find((fence) => fence.line > line);
      return !next || !marked.has(next.line) || README_LINES.slice(line, next.line - 1).some((text) => text.trim() !== '');
    });
    expect(stray).toEqual([]);
  });

  test('the compiler options and the context compile, with cdk-backup-dr from lib/index.ts', () => {
    expect(result.global).toEqual([]);
    expect(result.resolvedLibrary).toBe(join(ROOT, 'lib', 'index.ts'));
  });

  test.each(TS_BLOCKS.map((block) => [block.line, block] as const))('the block at README.md:%i', (_line, block) => {
    expect(result.byBlock.get(block.line)).toEqual([]);
  });
});

/** The options a help text shows: --long, and -x short forms. */
function optionsIn(help: string): string[] {
  return [...new Set([...help.matchAll(/(?<![\w-])(--?[a-z][a-z-]*)/g)].map((match) => match[1]))].filter((name) => name !== '-' && !/^-[a-z]{2,}/.test(name));
}

async function helpOf(command: string): Promise<string> {
  let out = '';
  const io = {
    stdout: { write: (text: string) => { out += text; return true; }, isTTY: false },
    stderr: { write: () => true, isTTY: false },
    env: {}, sleep: async () => undefined, now: () => 0,
    clients: () => { throw new Error('no AWS call in a help test'); },
  };
  if (command === 'report') {
    const log = jest.spyOn(console, 'log').mockImplementation((text: unknown) => { out += String(text); });
    try {
      expect(await runReport(['--help'])).toBe(0);
    } finally {
      log.mockRestore();
    }
    return out;
  }
  const code = command === 'backup' ? await runBackup(['--help'], io as never)
    : command === 'restore' ? await runRestore(['--help'], io as never)
      : await runCheck(['--help'], io);
  expect(code).toBe(0);
  return out;
}

/**
 * Restore's options per target (`restore db`, ...) and, for db, per source (`restore db --to-time`,
 * ...): those of the usage lines of each, and the common ones.
 */
function restoreOptions(help: string): Record<string, string[]> {
  const usage = help.slice(0, help.indexOf('\n\n'));
  const commonStart = help.indexOf('Common options:');
  const common = optionsIn(help.slice(commonStart, help.indexOf('\n\n', commonStart)));
  const byKey: Record<string, string[]> = {};
  const add = (key: string, options: string[]) => {
    byKey[key] = [...new Set([...(byKey[key] ?? common), ...options])];
  };
  let keys: string[] = [];
  for (const line of usage.split('\n')) {
    const match = /cdk-backup-dr restore (\w+)(?: (--[a-z-]+))?/.exec(line);
    if (match) {
      keys = [`restore ${match[1]}`, ...(match[1] === 'db' ? [`restore db ${match[2]}`] : [])];
    } else if (!line.startsWith(' ')) {
      keys = [];
    }
    keys.forEach((key) => add(key, optionsIn(line)));
  }
  return byKey;
}

/** The `cdk-backup-dr` command lines of the sh blocks: continuations joined, `npx` dropped. */
function commandLines(): Array<{ line: number; text: string }> {
  const lines: Array<{ line: number; text: string }> = [];
  for (const block of SH_BLOCKS) {
    for (let i = 0; i < block.body.length; i++) {
      const start = block.body[i];
      let text = start.text;
      while (/\\\s*$/.test(text) && i + 1 < block.body.length) {
        text = `${text.replace(/\\\s*$/, '')} ${block.body[++i].text}`;
      }
      const command = text.trim().replace(/^npx\s+/, '');
      if (/^cdk-backup-dr\b/.test(command)) {
        lines.push({ line: start.line, text: command });
      }
    }
  }
  return lines;
}

test('every option a cdk-backup-dr line of a sh block shows is one its command takes', async () => {
  const help: Record<string, string> = {};
  for (const command of ['backup', 'check', 'report', 'restore']) {
    help[command] = await helpOf(command);
  }
  const known: Record<string, string[]> = {
    'backup now': optionsIn(help.backup),
    'check': optionsIn(help.check),
    'report': optionsIn(help.report),
    ...restoreOptions(help.restore),
  };
  expect(Object.keys(known).sort()).toEqual(['backup now', 'check', 'report', 'restore db', 'restore db --from-dump', 'restore db --from-recovery-point',
    'restore db --from-snapshot', 'restore db --promote-replica', 'restore db --to-time', 'restore objects', 'restore volume']);
  const lines = commandLines();
  expect(lines.length).toBeGreaterThan(0);
  const problems: string[] = [];
  for (const { line, text } of lines) {
    const [command, target, source] = text.replace(/^cdk-backup-dr\s+/, '').split(/\s+/);
    const key = [`${command} ${target} ${source}`, `${command} ${target}`, command].find((name) => known[name]);
    if (!key) {
      problems.push(`README.md:${line}: no command '${command}': ${text}`);
      continue;
    }
    // A # comment may name what else the command takes: options of the target (restore db's other sources).
    const comment = text.indexOf(' #');
    const commandPart = comment < 0 ? text : text.slice(0, comment);
    const checks: Array<[string, string]> = [[commandPart, key], ...(comment < 0 ? [] : [[text.slice(comment), key.split(' ').slice(0, 2).join(' ')] as [string, string]])];
    for (const [part, against] of checks) {
      for (const option of optionsIn(part.replace(/^cdk-backup-dr/, ''))) {
        if (!(known[against] ?? known[key]).includes(option)) {
          problems.push(`README.md:${line}: cdk-backup-dr ${against} does not take ${option}`);
        }
      }
    }
  }
  expect(problems).toEqual([]);
});
