import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadAssembly } from '../../../core/report/assembly';
import { ReportModel, buildReport } from '../../../core/report/model';

/** The report, for `year`, of the app `build` makes: synthesized into a temp folder, which is removed once read. */
export function reportOfApp(build: (app: App) => void, year = 2026): ReportModel {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-backup-dr-report-'));
  try {
    const app = new App({ outdir });
    build(app);
    app.synth();
    return buildReport(loadAssembly(outdir), { year });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
