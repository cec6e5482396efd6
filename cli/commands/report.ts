/**
 * `cdk-backup-dr report [cdk.out] [--out dir]`: reads a synthesized cloud assembly and writes
 * backup-report.md, backup-report.html and backup-report.json for auditors.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ReportInputError, loadAssembly } from '../../core/report/assembly';
import { buildReport } from '../../core/report/model';
import { renderHtml, renderJson, renderMarkdown } from '../../core/report/render';
import { rejectRepeatedOptions } from '../repeated-options';

const USAGE = `Usage: cdk-backup-dr report [cdk.out] [--out <dir>]

Reads the synthesized templates and manifests of an app that uses cdk-backup-dr (default
folder: cdk.out) and writes backup-report.md, backup-report.html and backup-report.json
to --out (default: the current folder).

Options:
  -o, --out <dir>  the folder to write the three files to (created when missing);
                   also --out=<dir>
  -h, --help       this text

Exit codes: 0 written, 1 the folder is missing, unreadable or not from an app that uses
cdk-backup-dr, 2 bad usage.`;

/** The report command; returns the exit code (0 written, 1 bad input, 2 bad usage). */
export async function run(args: string[]): Promise<number> {
  let input: string | undefined;
  let out = '.';
  const given: Array<{ kind: 'option'; name: string }> = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return 0;
    }
    if (arg === '--out' || arg === '-o' || arg.startsWith('--out=')) {
      const value = arg.startsWith('--out=') ? arg.slice('--out='.length) : args[++i];
      // `--out --help` or `--out=` would otherwise write into a folder named --help, or the current one.
      if (!value || (!arg.startsWith('--out=') && value.startsWith('-'))) {
        console.error('cdk-backup-dr report: --out needs a folder');
        return 2;
      }
      out = value;
      given.push({ kind: 'option', name: 'out' });
    } else if (arg.startsWith('-o')) {
      // -o with its folder attached: node's parseArgs (the other commands' parser) would take
      // '-o=dir' as the folder '=dir'; refused instead of guessed, and not called unknown.
      console.error(`cdk-backup-dr report: -o takes the folder as the next argument (-o <dir>), or use --out=<dir>; got '${arg}'`);
      return 2;
    } else if (arg.startsWith('-')) {
      console.error(`cdk-backup-dr report: unknown option '${arg}'\n${USAGE}`);
      return 2;
    } else if (input === undefined) {
      input = arg;
    } else {
      console.error(`cdk-backup-dr report: one cdk.out folder only, got '${input}' and '${arg}'`);
      return 2;
    }
  }
  try {
    rejectRepeatedOptions(given, { out: { type: 'string' } });
  } catch (error) {
    console.error(`cdk-backup-dr report: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  try {
    const model = buildReport(loadAssembly(input ?? 'cdk.out'));
    const folder = resolve(out);
    mkdirSync(folder, { recursive: true });
    const files = {
      'backup-report.md': renderMarkdown(model),
      'backup-report.html': renderHtml(model),
      'backup-report.json': renderJson(model),
    };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(folder, name), text);
    }
    const summary = model.summary;
    console.log(`cdk-backup-dr report: ${summary.protectedResources} protected resources (${summary.withoutTierOrExemption} without a tier or exemption, ${summary.coverageNotKnownAtSynth} not known at synth, `
      + `${summary.withOffSiteCopy} with an off-site copy, ${summary.offSiteCopyNotKnown} with off-site copy not known), `
      + `${summary.acknowledgedFindings} acknowledged findings; wrote ${Object.keys(files).map((f) => join(folder, f)).join(', ')}`);
    return 0;
  } catch (error) {
    if (error instanceof ReportInputError) {
      console.error(`cdk-backup-dr report: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
