/** How `npm run bench` prints numbers and tables. */
import { median, ListRow } from './stats';

/** A number with thousands separators and exactly `digits` decimals; `–` for one that is not finite (a ratio over 0). */
export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
}

/** A Markdown table, columns after the first right-aligned unless `left`. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]): string =>
    '| ' + cells.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return (
    [
      line(header),
      '|' + widths.map((w, i) => (i < left ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|',
      ...rows.map(line),
    ].join('\n') + '\n'
  );
}

/** Each run's ratio of `subject` to the `Map.get` floor. */
export function floorRatios(row: ListRow, subject: 'engineNs' | 'handlerNs'): number[] {
  return row.runs.map((t) => t[subject] / t.mapGetNs);
}

const LIST_HEADER = [
  'list',
  'lines',
  'compile ms',
  'package KiB',
  'zipped KiB',
  'cold start ms',
  'engine ns',
  'handler ns',
  'Map.get ns',
  'first-match ns',
  'engine/default',
  'engine/Map.get',
  'handler/Map.get',
];

/** The lists' measurements as a Markdown table; the engine's cost also against the first row's (the default list). */
export function listTable(rows: readonly ListRow[]): string {
  const base = rows[0];
  const table = rows.map((r) => [
    r.list,
    fmt(r.lines),
    fmt(r.compileMs, 1),
    fmt(r.bundleBytes / 1024, 1),
    fmt(r.bundleCompressedBytes / 1024, 1),
    fmt(r.coldStartMs, 1),
    fmt(r.engineNs),
    fmt(r.handlerNs),
    fmt(r.mapGetNs, 1),
    fmt(r.firstMatchNs),
    fmt(r.engineNs / base.engineNs, 2) + '×',
    fmt(median(floorRatios(r, 'engineNs')), 1) + '×',
    fmt(median(floorRatios(r, 'handlerNs')), 1) + '×',
  ]);
  return markdownTable(LIST_HEADER, table);
}
