import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { BackupDashboard } from '../../lib';
import { appWithComplianceGates, complianceFindings, describeFindings } from '../support/compliance';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function metric(name: string): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'cdk-backup-dr', metricName: name, label: name });
}

/** The dashboard body with its tokens resolved, parsed. */
function body(stack: Stack): { widgets: Array<{ type: string; properties: { title?: string; metrics?: unknown[]; markdown?: string } }> } {
  const dashboards = Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard');
  const [dashboard] = Object.values(dashboards);
  const text = dashboard.Properties.DashboardBody['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text);
}

describe('BackupDashboard', () => {
  test('defaults: AWS Backup job outcomes only', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new BackupDashboard(stack, 'Dashboard');
    const titles = body(stack).widgets.map((w) => w.properties.title).filter(Boolean);
    expect(titles).toEqual(['AWS Backup jobs', 'AWS Backup copy and restore jobs']);
    const jobs = body(stack).widgets.find((w) => w.properties.title === 'AWS Backup jobs')!;
    expect(JSON.stringify(jobs.properties.metrics)).toContain('NumberOfBackupJobsFailed');
    Template.fromStack(stack).hasResource('AWS::CloudWatch::Dashboard', { Metadata: { 'cdk-backup-dr': { role: 'dashboard' } } });
  });

  test('adds a graph for each kind of metric the other constructs provide', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', { metric: metric('Drift'), threshold: 1, evaluationPeriods: 1 });
    const dashboard = new BackupDashboard(stack, 'Dashboard', { dashboardName: 'backups', replicaLag: [metric('ReplicaLag')], alarms: [alarm] });
    dashboard.addCheckResults(metric('Differences'));
    dashboard.addBackupAge(metric('HourlyAge'), metric('DailyAge'));
    dashboard.addDrillRecoveryTimes(metric('DrillSeconds'));
    const widgets = body(stack).widgets;
    expect(widgets.map((w) => w.properties.title).filter(Boolean)).toEqual([
      'Backup alarms', 'AWS Backup jobs', 'AWS Backup copy and restore jobs', 'Replica lag (seconds)',
      'Consistency checks', 'Age of the newest backup per tier', 'Restore drill recovery time',
    ]);
    expect(JSON.stringify(widgets.find((w) => w.properties.title === 'Age of the newest backup per tier'))).toMatch(/HourlyAge.*DailyAge/);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'backups' });
  });

  test('rejects a bad name and a job metric period that is not whole minutes', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => new BackupDashboard(stack, 'A', { dashboardName: 'my backups' }))
      .toThrow("S/A: `dashboardName` may contain only letters, digits, '-' and '_' (up to 255), got 'my backups'");
    expect(() => new BackupDashboard(stack, 'B', { jobMetricPeriod: Duration.seconds(90) }))
      .toThrow('S/B: `jobMetricPeriod` must be a whole number of minutes, at least 1, got 1 minute 30 seconds');
  });

  test('passes every compliance gate', () => {
    const app = appWithComplianceGates();
    const stack = new Stack(app, 'S', { env: ENV });
    new BackupDashboard(stack, 'Dashboard', { replicaLag: [metric('ReplicaLag')] });
    expect(describeFindings(complianceFindings(app).filter((f) => f.path.startsWith('S/Dashboard')))).toEqual('');
  });
});
