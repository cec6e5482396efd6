/**
 * Runs the reference app's compliance gates over an app and lists what they found.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, AppProps } from 'aws-cdk-lib';
import { addComplianceGates } from '../../bin/compliance-gates';

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/** A new app whose synth runs every compliance gate, writing to a fresh temp folder. */
export function appWithComplianceGates(props: AppProps = {}): App {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-backup-dr-synth-')), ...props });
  addComplianceGates(app);
  return app;
}

/**
 * Synthesizes the app and returns every unacknowledged finding of every gate, warnings
 * included. An error other than a validation failure is re-thrown.
 */
export function complianceFindings(app: App): Finding[] {
  const reportPath = join(app.outdir, 'validation-report.json');
  try {
    app.synth();
  } catch (error) {
    if (!existsSync(reportPath)) {
      throw error;
    }
  }
  const findings: Finding[] = [];
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    for (const plugin of report.pluginReports ?? []) {
      for (const violation of plugin.violations ?? []) {
        for (const construct of violation.violatingConstructs ?? []) {
          findings.push({
            plugin: plugin.pluginName,
            rule: violation.ruleName,
            severity: violation.severity ?? 'error',
            path: construct.constructPath,
          });
        }
      }
    }
  }
  rmSync(app.outdir, { recursive: true, force: true });
  return findings;
}

/** One line per finding, for a readable failure message. */
export function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.severity} ${f.plugin} ${f.rule} at ${f.path}`).join('\n');
}
