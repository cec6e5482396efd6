/**
 * The timeline picture of the report: an inline SVG with, per lane, when each tier, job,
 * check and drill runs over one week (UTC), and how long each copy lives (log scale).
 */
import { TimelineLane } from './model';
import { MINUTES_PER_WEEK } from './schedule';

const WIDTH = 1000;
const LABEL = 300;
const PLOT = WIDTH - LABEL - 20;
const LANE = 22;
const SUB = 16;
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MAX_HOURS = 10 * 8760;
// The notes are 11px: at an average of 0.6em a character, this many fit in a lane.
const NOTE_CHARS = Math.floor((PLOT - 12) / (11 * 0.6));
const SCALE_TICKS: Array<[number, string]> = [[1, '1 h'], [24, '1 day'], [168, '1 week'], [730, '1 month'], [8760, '1 year'], [MAX_HOURS, '10 years']];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function logX(hours: number): number {
  const h = Math.min(Math.max(hours, 1), MAX_HOURS);
  return LABEL + (PLOT * Math.log10(h)) / Math.log10(MAX_HOURS);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The timeline as a self-contained SVG element. */
export function timelineSvg(lanes: TimelineLane[]): string {
  const parts: string[] = [];
  let y = 30;
  // Panel 1: runs over a week.
  const seasonal = lanes.some((lane) => lane.runsInJuly);
  parts.push(`<text x="0" y="18" class="t-title">When each tier, job, check and drill runs in one week (UTC${seasonal ? '; where daylight saving time moves a run, January above, July below' : ''})</text>`);
  const weekTop = y;
  const weekHeight = Math.max(lanes.length, 1) * LANE;
  for (let d = 0; d <= 7; d++) {
    const x = LABEL + (PLOT * d) / 7;
    parts.push(`<line x1="${x.toFixed(1)}" y1="${weekTop}" x2="${x.toFixed(1)}" y2="${weekTop + weekHeight}" class="t-grid"/>`);
    if (d < 7) {
      parts.push(`<text x="${(x + PLOT / 14).toFixed(1)}" y="${weekTop + weekHeight + 14}" class="t-axis" text-anchor="middle">${DAYS[d]}</text>`);
    }
  }
  lanes.forEach((lane, i) => {
    const top = weekTop + i * LANE;
    parts.push(`<text x="0" y="${top + 15}" class="t-label"><title>${escapeXml(lane.label)}</title>${escapeXml(truncate(lane.label, 44))}</text>`);
    parts.push(`<rect x="${LABEL}" y="${top + 3}" width="${PLOT}" height="${LANE - 6}" class="t-lane"/>`);
    const cls = lane.kind === 'tier' ? 't-run' : 't-activity';
    if (lane.runs.length > 400) {
      parts.push(`<rect x="${LABEL}" y="${top + 5}" width="${PLOT}" height="${LANE - 10}" class="${cls}"><title>${lane.runs.length} runs a week</title></rect>`);
    } else if (lane.runsInJuly) {
      // Daylight saving time moves the runs in UTC: January's in the upper half, July's in the lower.
      const half = (LANE - 10) / 2;
      for (const [runs, dy, season] of [[lane.runs, 0, 'January'], [lane.runsInJuly, half, 'July']] as const) {
        for (const minute of runs) {
          const x = LABEL + (PLOT * minute) / MINUTES_PER_WEEK;
          parts.push(`<rect x="${x.toFixed(1)}" y="${top + 5 + dy}" width="2" height="${half}" class="${cls}"><title>in ${season}</title></rect>`);
        }
      }
    } else {
      for (const minute of lane.runs) {
        const x = LABEL + (PLOT * minute) / MINUTES_PER_WEEK;
        parts.push(`<rect x="${x.toFixed(1)}" y="${top + 5}" width="2" height="${LANE - 10}" class="${cls}"/>`);
      }
    }
    if (lane.runs.length === 0) {
      // A long note (a schedule with its DLM or AWS Backup merges) is cut to the lane, whole in its tooltip and the table.
      const note = lane.note ?? 'no weekly runs';
      parts.push(`<text x="${LABEL + 6}" y="${top + 15}" class="t-note"><title>${escapeXml(note)}</title>${escapeXml(truncate(note, NOTE_CHARS))}</text>`);
    }
  });
  y = weekTop + weekHeight + 40;

  // Panel 2: how long each copy lives.
  parts.push(`<text x="0" y="${y}" class="t-title">How long each copy lives (log scale; the lighter end is the rounding window)</text>`);
  y += 12;
  const lifeTop = y;
  const withLifetimes = lanes.filter((lane) => lane.lifetimes.length > 0);
  const rows = withLifetimes.reduce((n, lane) => n + lane.lifetimes.length, 0);
  const lifeHeight = Math.max(rows, 1) * SUB + withLifetimes.length * 6;
  for (const [hours, label] of SCALE_TICKS) {
    const x = logX(hours);
    parts.push(`<line x1="${x.toFixed(1)}" y1="${lifeTop}" x2="${x.toFixed(1)}" y2="${lifeTop + lifeHeight}" class="t-grid"/>`);
    const anchor = hours === MAX_HOURS ? 'end' : 'middle';
    parts.push(`<text x="${x.toFixed(1)}" y="${lifeTop + lifeHeight + 14}" class="t-axis" text-anchor="${anchor}">${label}</text>`);
  }
  let rowY = lifeTop;
  for (const lane of withLifetimes) {
    lane.lifetimes.forEach((life, j) => {
      const label = j === 0 ? `${lane.label}: ${life.label}` : `  ${life.label}`;
      parts.push(`<text x="${j === 0 ? 0 : 12}" y="${rowY + 12}" class="t-label"><title>${escapeXml(`${lane.label}: ${life.label}`)}</title>${escapeXml(truncate(label.trim(), j === 0 ? 44 : 42))}</text>`);
      const cls = life.offsite === 'not known' ? 't-offsite-unknown' : life.offsite ? 't-offsite' : 't-local';
      const minX = Number.isFinite(life.minHours) ? logX(life.minHours) : LABEL + PLOT;
      const maxX = Number.isFinite(life.maxHours) ? logX(life.maxHours) : LABEL + PLOT;
      parts.push(`<rect x="${LABEL}" y="${rowY + 2}" width="${(minX - LABEL).toFixed(1)}" height="${SUB - 4}" class="${cls}"><title>${escapeXml(life.label)}</title></rect>`);
      if (maxX > minX) {
        parts.push(`<rect x="${minX.toFixed(1)}" y="${rowY + 2}" width="${(maxX - minX).toFixed(1)}" height="${SUB - 4}" class="${cls} t-window"/>`);
      }
      if (!Number.isFinite(life.maxHours)) {
        parts.push(`<text x="${LABEL + PLOT + 4}" y="${rowY + 12}" class="t-axis">∞</text>`);
      }
      rowY += SUB;
    });
    rowY += 6;
  }
  if (withLifetimes.length === 0) {
    parts.push(`<text x="${LABEL + 6}" y="${lifeTop + 12}" class="t-note">no retention found</text>`);
  }
  const height = lifeTop + lifeHeight + 40;
  parts.push(`<rect x="${LABEL}" y="${height - 16}" width="10" height="10" class="t-local"/><text x="${LABEL + 14}" y="${height - 7}" class="t-axis">in the source region and account</text>`);
  parts.push(`<rect x="${LABEL + 240}" y="${height - 16}" width="10" height="10" class="t-offsite"/><text x="${LABEL + 254}" y="${height - 7}" class="t-axis">off-site copy (other region or account)</text>`);
  const offSiteNotKnown = lanes.some((lane) => lane.lifetimes.some((life) => life.offsite === 'not known'));
  if (offSiteNotKnown) {
    parts.push(`<rect x="${LABEL}" y="${height + 4}" width="10" height="10" class="t-offsite-unknown"/><text x="${LABEL + 14}" y="${height + 13}" class="t-axis">copy whose region or account is not known (off-site not known)</text>`);
  }
  parts.push(`<rect x="${LABEL + 520}" y="${height - 16}" width="10" height="10" class="t-activity"/><text x="${LABEL + 534}" y="${height - 7}" class="t-axis">check, drill or job</text>`);
  const style = '<style>.t-title{font:600 13px sans-serif;fill:#1f2933}.t-label{font:12px sans-serif;fill:#1f2933}.t-axis{font:11px sans-serif;fill:#52606d}'
    + '.t-note{font:italic 11px sans-serif;fill:#7b8794}.t-grid{stroke:#cbd2d9;stroke-width:1}.t-lane{fill:#f5f7fa}.t-run{fill:#2f6fb2}'
    + '.t-activity{fill:#c2410c}.t-local{fill:#2f6fb2}.t-offsite{fill:#15803d}.t-offsite-unknown{fill:#9aa5b1}.t-window{opacity:0.45}</style>';
  const svgHeight = height + (offSiteNotKnown ? 20 : 0);
  return `<svg xmlns="http://www.w3.org/2000/svg" id="backup-timeline" role="img" aria-label="Backup timeline" width="${WIDTH}" height="${svgHeight}" viewBox="0 0 ${WIDTH} ${svgHeight}">${style}${parts.join('')}</svg>`;
}
