/**
 * Renders the backup report as Markdown, as a self-contained HTML page (inline CSS and
 * inline SVG, no external resources) and as JSON.
 */
import { ActivityEntry, KeyEntry, ProtectedResource, ReportModel, TierEntry, coveredByCluster } from './model';
import { placeOffSite } from './off-site';
import { keyNotKnownAtSynth } from './kms-key-refs';
import { KEY_NOT_INSPECTED } from './outside-key';
import { escapeXml, timelineSvg } from './timeline';

/** The version of the JSON report's layout: raised when a field is removed, renamed or changes type, not when one is added (README). */
export const REPORT_SCHEMA_VERSION = 1;

function minutesText(minutes: number | undefined): string {
  if (minutes === undefined) {
    return 'not set';
  }
  if (minutes % 1440 === 0) {
    return `${minutes / 1440} ${minutes === 1440 ? 'day' : 'days'}`;
  }
  if (minutes % 60 === 0) {
    return `${minutes / 60} ${minutes === 60 ? 'hour' : 'hours'}`;
  }
  return `${minutes} minutes`;
}

function activityText(a: ActivityEntry): string {
  return `${a.path}: ${a.schedule}${a.targets.length ? ` → ${a.targets.join(', ')}` : ''}`;
}

/** The cells of one resource row, one entry per line. */
interface RowCells {
  readonly resource: string[];
  readonly tiers: string[];
  readonly schedules: string[];
  readonly retention: string[];
  readonly copies: string[];
  readonly encryption: string[];
  readonly locks: string[];
  readonly verification: string[];
}

/** A construct path without the trailing `Resource` ids of L2 constructs. */
function short(text: string): string {
  return text.replace(/((?:[\w.-]+\/)+[\w.-]+)/g, (path) => path.replace(/(\/Resource)+$/, ''));
}

function cellsOf(r: ProtectedResource): RowCells {
  const tiers = r.tiers;
  const none = r.exemptReason !== undefined ? [`EXEMPT: ${r.exemptReason}`] : withoutTier(r);
  const tierLocks = grouped(tiers.flatMap((t: TierEntry) => t.locks.map((l) => [t.tier, l] as [string, string])));
  // Copies to the same place share one heading line; each tier then says how long its copy lives.
  const destinations = new Map<string, string[]>();
  const caveats = new Map<string, string>();
  for (const t of tiers) {
    for (const c of t.copies) {
      const status = c.status === 'disabled' ? ' [replication rule DISABLED: no copy]' : c.status === 'not known' ? ' [replication rule status not known]' : '';
      const unknownPlace = placeOffSite(c, r) === 'not known' ? '; off-site not known' : '';
      const heading = `→ ${c.destination}${status} (${c.region}, account ${c.account}${unknownPlace})${[c.encryptionKey, ...c.locks].filter(Boolean).map((x) => `; ${x}`).join('')}`;
      destinations.set(heading, [...(destinations.get(heading) ?? []), `${t.tier}: ${c.retention}`]);
      if (c.caveat !== undefined) {
        caveats.set(heading, c.caveat);
      }
    }
  }
  return {
    resource: [`${r.typeName}`, `${r.logicalId} (${r.stack}, ${r.region})`, short(r.path)],
    tiers: tiers.length ? [...(r.exemptReason !== undefined ? [`EXEMPT: ${r.exemptReason}`] : []), ...grouped(tiers.map((t) => [t.tier, t.mechanism.replace(/, (rule|schedule) .*$/, '')] as [string, string])).map(short)] : none,
    schedules: tiers.map((t) => `${t.tier}: ${short(t.schedule)}`),
    retention: tiers.map((t) => `${t.tier}: ${t.retention}${t.storedIn ? ` in ${short(t.storedIn)}` : ''}`),
    copies: [...destinations].flatMap(([heading, lines]) => [short(heading), ...lines, ...(caveats.has(heading) ? [`(${caveats.get(heading)})`] : [])]),
    encryption: [`data: ${short(r.encryption)}`, ...grouped(tiers.filter((t) => t.encryptionKey).map((t) => [t.tier, short(t.encryptionKey!)] as [string, string]))],
    locks: [...r.locks, ...tierLocks],
    verification: [
      ...r.checks.map((a) => `check ${short(activityText(a))}`),
      ...r.drills.map((a) => `drill ${short(activityText(a))}`),
      ...r.backupJobs.map((a) => `job ${short(activityText(a))}`),
    ],
  };
}

/** The tier cell of a row without tiers or exemption of its own: its cluster's, not known, or NONE. */
function withoutTier(r: ProtectedResource): string[] {
  const cluster = r.backedUpWithCluster;
  if (cluster !== undefined && cluster.tiers.length > 0) {
    return [`with its cluster ${short(cluster.path)}: ${cluster.tiers.join(', ')}`];
  }
  if (cluster?.exemptReason !== undefined) {
    return [`EXEMPT with its cluster ${short(cluster.path)}: ${cluster.exemptReason}`];
  }
  if (r.coverageNotKnown !== undefined) {
    return [`NOT KNOWN at synth: ${r.coverageNotKnown.join('; ')}`];
  }
  return [`NONE: not covered by any tier${cluster !== undefined ? `, nor is its cluster ${short(cluster.path)}` : ''}`];
}

/** `tier: text` lines, with the tiers that share a text on one line. */
function grouped(pairs: Array<[string, string]>): string[] {
  const byText = new Map<string, string[]>();
  for (const [tier, text] of pairs) {
    byText.set(text, [...(byText.get(text) ?? []), tier]);
  }
  return [...byText].map(([text, tiers]) => `${[...new Set(tiers)].join(', ')}: ${text}`);
}

function mdCell(lines: string[]): string {
  return lines.length ? lines.map((l) => l.replace(/\|/g, '\\|')).join('<br>') : '—';
}

/** The report as Markdown. */
export function renderMarkdown(model: ReportModel): string {
  const out: string[] = [];
  out.push('# Backup and disaster recovery report', '');
  out.push(`Generated from \`${model.source}\` by \`cdk-backup-dr report\`. Everything below is read from the synthesized CloudFormation templates.`, '');
  const summary = model.summary;
  const alert = (n: number): string => (n ? `**${n}**` : '0');
  out.push('## Summary', '',
    `- Protected resources: ${summary.protectedResources}`,
    `- Without a tier or exemption: ${alert(summary.withoutTierOrExemption)}`,
    `- Coverage not known at synth: ${alert(summary.coverageNotKnownAtSynth)}`,
    `- With an off-site copy: ${summary.withOffSiteCopy}`,
    `- Off-site copy not known: ${alert(summary.offSiteCopyNotKnown)}`,
    `- Acknowledged findings: ${summary.acknowledgedFindings}`, '');
  out.push('## Responsibility and objectives', '');
  out.push(`- Backup owner: ${model.owners.length ? model.owners.join(', ') : '**none recorded**'}`);
  if (model.objectives.length === 0) {
    out.push('- Recovery objectives (RPO/RTO): **none recorded**');
  }
  for (const o of model.objectives) {
    out.push(`- ${o.stack}: RPO ${minutesText(o.rpoMinutes)}, RTO ${minutesText(o.rtoMinutes)}`);
    for (const shortfall of o.rpoNotMetBy ?? []) {
      out.push(`  - **RPO not met** by ${shortfall.path}: ${shortfall.reason}`);
    }
    for (const unknown of o.rpoNotKnownFor ?? []) {
      out.push(`  - **RPO not known** for ${unknown.path}: ${unknown.reason}`);
    }
  }
  out.push('', '## Stacks', '', '| Stack | Account | Region | Description |', '|---|---|---|---|');
  for (const s of model.stacks) {
    out.push(`| ${s.id} | ${s.account} | ${s.region} | ${s.description ?? '—'} |`);
  }
  out.push('', '## Protected resources', '');
  out.push('| Resource | Tiers | Schedule | Retention | Copies | Encryption | Locks | Checks and drills |', '|---|---|---|---|---|---|---|---|');
  for (const r of model.resources) {
    const c = cellsOf(r);
    out.push(`| ${mdCell(c.resource)} | ${mdCell(c.tiers)} | ${mdCell(c.schedules)} | ${mdCell(c.retention)} | ${mdCell(c.copies)} | ${mdCell(c.encryption)} | ${mdCell(c.locks)} | ${mdCell(c.verification)} |`);
  }
  out.push('', '## Checks, restore drills and backup jobs', '', '| Kind | Construct | What it does | Schedule | Targets |', '|---|---|---|---|---|');
  for (const a of model.activities) {
    out.push(`| ${a.kind} | ${a.path} | ${a.description ?? '—'} | ${a.schedule} | ${a.targets.join('<br>') || '—'} |`);
  }
  out.push('', '## Notifications', '', '| Topic | Encryption | Subscribers | Sources |', '|---|---|---|---|');
  for (const n of model.notifications) {
    out.push(`| ${n.topic} | ${n.encryptionKey ?? '—'} | ${mdCell(n.subscribers)} | ${mdCell(n.sources)} |`);
  }
  out.push('', '## Encryption keys', '', 'The KMS keys of the data, backups, copies and notifications above: what a key encrypts cannot be read once it is deleted.', '',
    '| Key | Rotation | Locks | Encrypts |', '|---|---|---|---|');
  for (const k of model.keys) {
    out.push(`| ${mdCell(keyCell(k))} | ${k.rotation} | ${mdCell(k.locks)} | ${mdCell(k.encrypts.map(short))} |`);
  }
  out.push('', '## Timeline', '', 'The HTML report draws this as a picture.', '', '| Lane | Runs a week | Lives |', '|---|---|---|');
  for (const lane of model.timeline) {
    const lives = lane.lifetimes.map((l) => `${l.label}: ${hoursText(l.minHours, l.maxHours)}`);
    out.push(`| ${lane.label} | ${lane.runs.length || (lane.note ?? 0)} | ${mdCell(lives)} |`);
  }
  out.push('', '## Acknowledged compliance findings', '', `${model.acknowledgements.length} acknowledged findings, each with its reason.`, '', '| Rule | Reason | Construct |', '|---|---|---|');
  for (const a of model.acknowledgements) {
    out.push(`| ${a.rule.replace(/\|/g, '\\|')} | ${a.reason.replace(/\|/g, '\\|')} | ${a.path} |`);
  }
  out.push('');
  return out.join('\n');
}

/** The key cell, as the resource cell of a protected resource. */
function keyCell(k: KeyEntry): string[] {
  return k.logicalId !== undefined ? ['KMS key', `${k.logicalId} (${k.stack}, ${k.region})`, short(k.key)] : [`KMS key ${k.mayBeInAssembly ? keyNotKnownAtSynth(k.mayBeInAssembly) : KEY_NOT_INSPECTED}`, `${k.key} (${k.region}, account ${k.account})`];
}

function hoursText(min: number, max: number): string {
  const one = (h: number): string => (!Number.isFinite(h) ? 'until deleted by hand' : h < 72 ? `${h} hours` : `${Math.round(h / 24)} days`);
  return min === max ? one(min) : `${one(min)} to ${one(max)}`;
}

function htmlLines(lines: string[]): string {
  return lines.length ? lines.map((l) => `<div>${escapeXml(l)}</div>`).join('') : '<span class="none">—</span>';
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2933;margin:24px;max-width:1400px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #cbd2d9;padding-bottom:4px}
.source{color:#52606d;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:12px;table-layout:fixed}td{overflow-wrap:anywhere}th,td{border:1px solid #cbd2d9;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#e4e7eb}tr:nth-child(even) td{background:#f5f7fa}td div+div{margin-top:2px}
.none{color:#9aa5b1}.alert{color:#b91c1c;font-weight:600}.exempt{color:#b45309;font-weight:600}
.summary{display:flex;gap:16px;flex-wrap:wrap}.card{border:1px solid #cbd2d9;border-radius:6px;padding:8px 12px;min-width:180px}
.card b{display:block;font-size:20px}
`;

/** The report as a self-contained HTML page. */
export function renderHtml(model: ReportModel): string {
  const { withoutTierOrExemption: uncovered, coverageNotKnownAtSynth: coverageNotKnown, offSiteCopyNotKnown: offsiteNotKnown } = model.summary;
  const rows = model.resources.map((r) => {
    const c = cellsOf(r);
    const exempt = r.exemptReason !== undefined || r.backedUpWithCluster?.exemptReason !== undefined;
    const tierCell = r.tiers.length || coveredByCluster(r) && !exempt ? htmlLines(c.tiers) : `<span class="${exempt ? 'exempt' : 'alert'}">${escapeXml(c.tiers[0])}</span>`;
    return `<tr data-logical-id="${escapeXml(r.logicalId)}"><td>${htmlLines(c.resource)}</td><td>${tierCell}</td><td>${htmlLines(c.schedules)}</td><td>${htmlLines(c.retention)}</td>`
      + `<td>${htmlLines(c.copies)}</td><td>${htmlLines(c.encryption)}</td><td>${htmlLines(c.locks)}</td><td>${htmlLines(c.verification)}</td></tr>`;
  }).join('\n');
  const objectives = model.objectives.length
    ? model.objectives.map((o) => `<li>${escapeXml(o.stack)}: RPO ${escapeXml(minutesText(o.rpoMinutes))}, RTO ${escapeXml(minutesText(o.rtoMinutes))}`
      + (o.rpoNotMetBy?.length || o.rpoNotKnownFor?.length
        ? `<ul>${(o.rpoNotMetBy ?? []).map((s) => `<li class="alert">RPO not met by ${escapeXml(s.path)}: ${escapeXml(s.reason)}</li>`).join('')}`
          + `${(o.rpoNotKnownFor ?? []).map((s) => `<li class="alert">RPO not known for ${escapeXml(s.path)}: ${escapeXml(s.reason)}</li>`).join('')}</ul>`
        : '')
      + '</li>').join('')
    : '<li class="alert">No recovery objectives (RPO/RTO) recorded</li>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backup and disaster recovery report</title><style>${CSS}</style></head>
<body>
<h1>Backup and disaster recovery report</h1>
<div class="source">Generated by <code>cdk-backup-dr report</code> from <code>${escapeXml(model.source)}</code>; read from the synthesized CloudFormation templates.</div>
<div class="summary">
<div class="card">Protected resources<b id="count-resources">${model.summary.protectedResources}</b></div>
<div class="card">Without a tier or exemption<b id="count-uncovered" class="${uncovered ? 'alert' : ''}">${uncovered}</b></div>
<div class="card">Coverage not known at synth<b id="count-coverage-not-known" class="${coverageNotKnown ? 'alert' : ''}">${coverageNotKnown}</b></div>
<div class="card">With an off-site copy<b id="count-offsite">${model.summary.withOffSiteCopy}</b></div>
<div class="card">Off-site copy not known<b id="count-offsite-not-known" class="${offsiteNotKnown ? 'alert' : ''}">${offsiteNotKnown}</b></div>
<div class="card">Acknowledged findings<b>${model.summary.acknowledgedFindings}</b></div>
</div>
<h2>Responsibility and objectives</h2>
<ul><li>Backup owner: ${model.owners.length ? escapeXml(model.owners.join(', ')) : '<span class="alert">none recorded</span>'}</li>${objectives}</ul>
<h2>Stacks</h2>
<table id="stacks"><thead><tr><th>Stack</th><th>Account</th><th>Region</th><th>Description</th></tr></thead><tbody>
${model.stacks.map((s) => `<tr><td>${escapeXml(s.id)}</td><td>${escapeXml(s.account)}</td><td>${escapeXml(s.region)}</td><td>${escapeXml(s.description ?? '—')}</td></tr>`).join('\n')}
</tbody></table>
<h2>Timeline</h2>
${timelineSvg(model.timeline)}
<h2>Protected resources</h2>
<table id="protected-resources"><thead><tr><th>Resource</th><th>Tiers</th><th>Schedule</th><th>Retention</th><th>Copies</th><th>Encryption</th><th>Locks</th><th>Checks and drills</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Checks, restore drills and backup jobs</h2>
<table id="activities"><thead><tr><th>Kind</th><th>Construct</th><th>What it does</th><th>Schedule</th><th>Targets</th></tr></thead><tbody>
${model.activities.map((a) => `<tr><td>${escapeXml(a.kind)}</td><td>${escapeXml(a.path)}</td><td>${escapeXml(a.description ?? '—')}</td><td>${escapeXml(a.schedule)}</td><td>${htmlLines(a.targets)}</td></tr>`).join('\n')}
</tbody></table>
<h2>Notifications</h2>
<table id="notifications"><thead><tr><th>Topic</th><th>Encryption</th><th>Subscribers</th><th>Sources</th></tr></thead><tbody>
${model.notifications.map((n) => `<tr><td>${escapeXml(n.topic)}</td><td>${escapeXml(n.encryptionKey ?? '—')}</td><td>${htmlLines(n.subscribers)}</td><td>${htmlLines(n.sources)}</td></tr>`).join('\n')}
</tbody></table>
<h2>Encryption keys</h2>
<table id="keys"><thead><tr><th>Key</th><th>Rotation</th><th>Locks</th><th>Encrypts</th></tr></thead><tbody>
${model.keys.map((k) => `<tr><td>${htmlLines(keyCell(k))}</td><td>${escapeXml(k.rotation)}</td><td>${htmlLines(k.locks)}</td><td>${htmlLines(k.encrypts.map(short))}</td></tr>`).join('\n')}
</tbody></table>
<h2>Acknowledged compliance findings</h2>
<table id="acknowledgements"><thead><tr><th>Rule</th><th>Reason</th><th>Construct</th></tr></thead><tbody>
${model.acknowledgements.map((a) => `<tr><td>${escapeXml(a.rule)}</td><td>${escapeXml(a.reason)}</td><td>${escapeXml(a.path)}</td></tr>`).join('\n')}
</tbody></table>
</body></html>
`;
}

/** The report as JSON (retention windows that never end are written as `null`). */
export function renderJson(model: ReportModel): string {
  return `${JSON.stringify({ schemaVersion: REPORT_SCHEMA_VERSION, ...model }, null, 2)}\n`;
}
