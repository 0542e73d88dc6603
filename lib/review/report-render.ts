/**
 * The report's two renderings of the same content: a self-contained HTML
 * page (inline CSS and SVG, no script, no external resource) and Markdown
 * (the diagram as a Mermaid flowchart, which code hosts render).
 */
import type { ReportData } from './report';

export interface DiagramNode {
  readonly id: string;
  readonly label: string;
  /** 0 hostnames, 1 distributions, 2 function (or origin), 3 stores. */
  readonly column: number;
}

export interface Diagram {
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly (readonly [string, string])[];
}

/**
 * Hostnames → their site's distribution → its CloudFront Functions and the
 * redirect function (redirect sites) or the snapshot bucket (frozen) → the
 * stores the function can send to.
 */
export function diagramOf(data: ReportData): Diagram {
  const nodes: DiagramNode[] = [];
  const edges: [string, string][] = [];
  const fn = 'fn';
  const hasFunction = data.sites.some((s) => s.mode !== 'frozen');
  if (hasFunction)
    nodes.push({
      id: fn,
      label: `redirect function (${data.sites.find((s) => s.distribution?.functionEvent)?.distribution?.functionEvent ?? 'origin-request'})`,
      column: 2,
    });
  const storeIds = new Map<string, string>();
  data.regions.forEach((r, i) => {
    const id = `store${i}`;
    storeIds.set(r.name, id);
    nodes.push({ id, label: `${r.name}${r.kind === 'frozen' ? ' (frozen)' : ''}: ${r.url}`, column: 3 });
  });
  data.sites.forEach((s, i) => {
    const dist = `dist${i}`;
    nodes.push({ id: dist, label: `${s.name} distribution${s.distribution ? ` (${s.distribution.priceClass})` : ''}`, column: 1 });
    s.hostnames.forEach((h, j) => {
      const id = `host${i}_${j}`;
      nodes.push({ id, label: h, column: 0 });
      edges.push([id, dist]);
    });
    for (const f of s.distribution?.viewerFunctions ?? []) {
      const label = `CloudFront Function (${f.event})${f.keyValueStore ? ' + key value store' : ''}: ${f.name}`;
      let node = nodes.find((n) => n.label === label);
      if (!node) nodes.push((node = { id: `cff${nodes.length}`, label, column: 2 }));
      edges.push([dist, node.id]);
    }
    if (s.mode === 'frozen') {
      const bucket = `bucket${i}`;
      nodes.push({ id: bucket, label: `${s.name} snapshot (S3)`, column: 2 });
      edges.push([dist, bucket]);
    } else {
      edges.push([dist, fn]);
    }
  });
  if (hasFunction) {
    const reached = new Set<string>();
    for (const s of data.sites) {
      if (s.mode === 'region-path') data.regions.forEach((r) => reached.add(r.name));
      else if (s.mode === 'region-host' && s.region) reached.add(s.region);
    }
    for (const r of data.regions) if (reached.has(r.name)) edges.push([fn, storeIds.get(r.name)!]);
  }
  return { nodes, edges };
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const COL_X = [20, 240, 530, 820];
const COL_W = [190, 260, 260, 320];
const ROW_H = 34;
/** Widest advance of a 12 px system-ui character the labels use, rounded up: labels are cut to fit by it. */
const CHAR_PX = 7.4;

/** The diagram as inline SVG: four columns of boxes, curves between them. */
export function diagramSvg(d: Diagram): string {
  const rows = [0, 0, 0, 0];
  const pos = new Map<string, { x: number; y: number; col: number }>();
  for (const n of d.nodes) {
    pos.set(n.id, { x: COL_X[n.column], y: 40 + rows[n.column] * ROW_H, col: n.column });
    rows[n.column]++;
  }
  const height = 60 + Math.max(...rows) * ROW_H;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="hostnames to distributions to function to stores" viewBox="0 0 1160 ${height}" width="1160" height="${height}">`,
  ];
  ['hostnames', 'distributions', 'function / origin', 'stores'].forEach((t, i) =>
    parts.push(`<text class="col" x="${COL_X[i]}" y="20">${t}</text>`),
  );
  for (const [from, to] of d.edges) {
    const a = pos.get(from)!;
    const b = pos.get(to)!;
    const x1 = a.x + COL_W[a.col];
    const y1 = a.y + 12;
    const x2 = b.x;
    const y2 = b.y + 12;
    const mid = (x1 + x2) / 2;
    parts.push(`<path class="edge" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}"/>`);
  }
  for (const n of d.nodes) {
    const p = pos.get(n.id)!;
    // Labels longer than the box are cut with an ellipsis; the full text is the box's tooltip.
    const max = Math.floor((COL_W[n.column] - 12) / CHAR_PX);
    const shown = n.label.length > max ? n.label.slice(0, max - 1) + '…' : n.label;
    parts.push(
      `<g class="node c${n.column}" id="node-${n.id}"><title>${esc(n.label)}</title><rect x="${p.x}" y="${p.y}" width="${COL_W[n.column]}" height="24" rx="4"/><text x="${p.x + 6}" y="${p.y + 16}">${esc(shown)}</text></g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * A label as Mermaid text inside `["..."]`: `"` as `#quot;`, and `< > & ' #`
 * and the backtick as Mermaid entity codes (`#60;`), so no label becomes a
 * tag or a Markdown string, or ends the code block; line breaks as spaces.
 */
export function mermaidText(s: string): string {
  return s.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ').replace(/["<>&'#`]/g, (c) => (c === '"' ? '#quot;' : `#${c.charCodeAt(0)};`));
}

/** The diagram as a Mermaid flowchart. */
export function diagramMermaid(d: Diagram): string {
  const lines = ['```mermaid', 'flowchart LR'];
  for (const n of d.nodes) lines.push(`  ${n.id}["${mermaidText(n.label)}"]`);
  for (const [a, b] of d.edges) lines.push(`  ${a} --> ${b}`);
  lines.push('```');
  return lines.join('\n');
}

interface Table {
  readonly id: string;
  readonly title: string;
  readonly intro?: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The report's tables, in page order. */
function tablesOf(data: ReportData): Table[] {
  return [sitesTable(data), regionsTable(data), hostsTable(data), rulesTable(data), bulkTable(data), findingsTable(data)];
}

/** The sites table: each site's mode, hostnames and distribution. */
function sitesTable(data: ReportData): Table {
  return {
    id: 'sites',
    title: 'Sites, hostnames and distributions',
    head: ['site', 'mode', 'hostnames', 'distribution', 'aliases', 'price class', 'function', 'origin'],
    rows: data.sites.map((s) => [
      s.name,
      s.mode + (s.region ? ` (${s.region})` : ''),
      s.hostnames.join(', '),
      s.distribution?.logicalId ?? '(not in the assembly)',
      s.distribution?.aliases.join(', ') || '(none yet)',
      s.distribution?.priceClass ?? '',
      s.distribution?.functionEvent ?? 'none',
      s.distribution?.origin ?? '',
    ]),
  };
}

/** The regions table: each region's kind, store and countries. */
function regionsTable(data: ReportData): Table {
  return {
    id: 'regions',
    title: 'Regions and their stores',
    intro: `Visitors whose country is not listed go to ${data.defaultRegion}.`,
    head: ['region', 'kind', 'store', 'countries'],
    rows: data.regions.map((r) => [r.name, r.kind, r.url, r.countries.join(', ') || (r.name === data.defaultRegion ? '(default)' : '')]),
  };
}

/** The hostname roots table: each root request's answer and the rule that decided it. */
function hostsTable(data: ReportData): Table {
  return {
    id: 'hosts',
    title: 'Every hostname at its root',
    intro:
      'With no country, and on the first hostname of each region-path site with each configured country. A wildcard hostname is shown as the sample name it is probed with. The rule column names what decided.',
    head: ['example URL', 'country', 'answer', 'rule'],
    rows: data.hosts.map((r) => [r.url + (r.stands ? ` (for ${r.stands})` : ''), r.country || '(none)', r.outcome, r.rule]),
  };
}

/** The rules table: each rule as written, with an example, its answer and what answered. */
function rulesTable(data: ReportData): Table {
  return {
    id: 'rules',
    title: 'The rules file, each rule with an example',
    intro:
      'Every rule in file order, on each site it applies to (after a region segment on region-path sites), with an example URL made from its source, ' +
      'where it goes and the rule that answered. A flag says when that is not the rule itself: an earlier rule (or a bulk entry) answers first, or, for a rewrite (200), a rule below.',
    head: ['rule', 'as written', 'example URL', 'country', 'answer', 'answered by', 'flag'],
    rows: data.rules.map((r) => [
      r.rule,
      r.text,
      r.url ? r.url + (r.stands ? ` (for ${r.stands})` : '') : '(none)',
      r.url ? r.country || '(none)' : '',
      r.outcome,
      r.answeredBy,
      r.flag,
    ]),
  };
}

/** The bulk table: the listed bulk entries, each with its answer. */
function bulkTable(data: ReportData): Table {
  return {
    id: 'bulk',
    title: `Bulk entries (${data.bulkFile})`,
    intro:
      data.bulk.length < data.bulkTotal
        ? `The first ${data.bulk.length} of ${data.bulkTotal} entries; the findings below cover all of them.`
        : `All ${data.bulkTotal} entries, decided at their own source.`,
    head: ['line', 'source', 'example URL', 'answer', 'rule'],
    rows: data.bulk.map((b) => [String(b.line), b.source, b.url, b.outcome, b.rule]),
  };
}

/** The findings table: shadowed, unreachable and redundant bulk entries. */
function findingsTable(data: ReportData): Table {
  return {
    id: 'findings',
    title: 'Shadowed, unreachable and redundant entries',
    intro:
      data.findings.length === 0 ? 'None: every entry decides its own source, and none repeats what the rules file answers.' : undefined,
    head: ['line', 'source', 'finding', 'detail'],
    rows: data.findings.map((f) => [String(f.line), f.source, f.kind, f.detail]),
  };
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330}h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #c9ced8;padding:3px 8px;text-align:left;vertical-align:top}th{background:#eef1f6}
td{font-family:ui-monospace,monospace;font-size:12.5px}svg text{font:12px system-ui,sans-serif}svg .col{font-weight:600}
.edge{fill:none;stroke:#7d8aa3;stroke-width:1.2}.node rect{fill:#f4f6fb;stroke:#5c6b8a}.c3 rect{fill:#eaf6ee;stroke:#3f8a5a}.c2 rect{fill:#fff4e0;stroke:#b07a1e}`;

/** The self-contained HTML page. */
export function renderHtml(data: ReportData): string {
  const d = diagramOf(data);
  const sections = tablesOf(data)
    .map(
      (t) =>
        `<section id="${t.id}"><h2>${esc(t.title)}</h2>${t.intro ? `<p>${esc(t.intro)}</p>` : ''}${
          t.rows.length === 0
            ? ''
            : `<table><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}\n</tbody></table>`
        }</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>po.co sunset: redirect report</title><style>${CSS}</style></head>
<body><h1>po.co sunset: redirect report</h1>
<p>From ${esc(data.label)}: stacks ${esc(data.stacks.join(', '))}. Answers are the engine's, from the function package in the assembly, for the country shown (none: unknown).</p>
<section id="diagram"><h2>Hostnames → distributions → function → stores</h2>
${diagramSvg(d)}</section>
${sections}
</body></html>
`;
}

const MD_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * A value as Markdown text that shows it as it is: line breaks as spaces;
 * `& < > " '` as HTML entities, so it holds no tag; and a backslash before
 * each character Markdown reads inline (`\\ \` * _ { } [ ] ( ) # ! | ~ $ ^`),
 * before `:` and `@` and the dot of `www.`, so it makes no emphasis, code,
 * link, image, table cell or autolink. (`. + -` mean something only at the
 * start of a line, where no value is put: each is in a table row, a heading
 * or after words.)
 */
export function mdText(s: string): string {
  return s
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(/[&<>"']|[\\`*_{}[\]()#!|~$^:@]|(?<=www)\./gi, (c) => MD_ENTITIES[c] ?? `\\${c}`);
}

/** The same content as Markdown, every value escaped (`mdText`; the diagram's labels `mermaidText`). */
export function renderMarkdown(data: ReportData): string {
  const out = [
    '# po.co sunset: redirect report',
    '',
    `From ${mdText(data.label)}: stacks ${mdText(data.stacks.join(', '))}. Answers are the engine's, from the function package in the assembly, for the country shown (none: unknown).`,
    '',
    '## Hostnames → distributions → function → stores',
    '',
    diagramMermaid(diagramOf(data)),
  ];
  for (const t of tablesOf(data)) {
    out.push('', `## ${mdText(t.title)}`, '');
    if (t.intro) out.push(mdText(t.intro), '');
    if (t.rows.length > 0) {
      out.push(`| ${t.head.map(mdText).join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`);
      for (const r of t.rows) out.push(`| ${r.map(mdText).join(' | ')} |`);
    }
  }
  return out.join('\n') + '\n';
}
