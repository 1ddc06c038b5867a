// The latency histogram of a trace as a self-contained SVG (or an HTML page holding it and the
// figures): one panel for all requests and one per frequent op, a log-scale latency axis shared by
// the panels, 10 bins per decade, and the p50/p90/p99 marks. No script, no external asset.
import * as fs from 'node:fs';
import type { OpName } from '../op-table';
import { human } from './format';
import type { LatencyHistogram } from './latency';
import type { OpStats, TraceSummary } from './summary';

/** Options of the latency histogram (histogramSvg, histogramHtml, writeHistogram). */
export interface HistogramOptions {
  /** Shown on top (e.g. the mountpoint). */
  title?: string;
  /** Panels for this many ops at most, most frequent first (default 8). */
  maxOps?: number;
}

const W = 860;
const LEFT = 120;
const RIGHT = 40;
const PANEL = 110;
const GAP = 28;
const TOP = 50;
const BINS_PER_DECADE = 10;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** 10^d ns as an axis label: 1ns, 10ns, 100ns, 1µs, ... 1s, 10s, 100s. */
function decade(d: number): string {
  const units = ['ns', 'µs', 'ms', 's'];
  const u = Math.min(3, Math.floor(d / 3));
  return `${10 ** (d - 3 * u)}${units[u]}`;
}

/** Counts of h in log bins from 10^lo to 10^hi ns. */
function bins(h: LatencyHistogram, lo: number, hi: number): number[] {
  const out = new Array<number>((hi - lo) * BINS_PER_DECADE).fill(0);
  for (const b of h.buckets()) {
    const ns = Math.max(1, ((b.low + b.high) / 2) * 1e6);
    const i = Math.floor((Math.log10(ns) - lo) * BINS_PER_DECADE);
    out[Math.min(out.length - 1, Math.max(0, i))] += b.count;
  }
  return out;
}

/** The SVG document. */
export function histogramSvg(summary: TraceSummary, options: HistogramOptions = {}): string {
  const stats = summary.stats().filter((s) => s.op !== 'total' && summary.latency(s.op)?.count);
  const panels: { label: string; h: LatencyHistogram; s: OpStats }[] = [];
  const total = summary.stats().at(-1) as OpStats;
  panels.push({ label: 'all requests', h: summary.all, s: total });
  for (const s of stats.slice(0, options.maxOps ?? 8)) panels.push({ label: s.op, h: summary.latency(s.op as OpName) as LatencyHistogram, s });

  const a = summary.all;
  const lo = a.count ? Math.floor(Math.log10(Math.max(1, a.min * 1e6))) : 3;
  const hi = a.count ? Math.max(lo + 1, Math.ceil(Math.log10(Math.max(1, a.max * 1e6)) + 1e-9)) : 6;
  const plotW = W - LEFT - RIGHT;
  const x = (ms: number): number => LEFT + ((Math.log10(Math.max(1, ms * 1e6)) - lo) / (hi - lo)) * plotW;
  const height = TOP + panels.length * (PANEL + GAP) + 30;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${height}" fill="#ffffff"/>`);
  const title = options.title ? `rxfuse trace latency: ${options.title}` : 'rxfuse trace latency';
  out.push(`<text x="${LEFT}" y="22" font-size="16" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${LEFT}" y="40" fill="#555555">${esc(summary.headline())}</text>`);

  panels.forEach((p, k) => {
    const y0 = TOP + k * (PANEL + GAP) + GAP;
    const counts = bins(p.h, lo, hi);
    const peak = Math.max(1, ...counts);
    const bw = plotW / counts.length;
    out.push(`<g class="panel" data-op="${esc(p.label)}">`);
    out.push(`<text x="${LEFT - 8}" y="${y0 + 14}" text-anchor="end" font-weight="bold">${esc(p.label)}</text>`);
    out.push(`<text x="${LEFT - 8}" y="${y0 + 30}" text-anchor="end" fill="#555555">${p.s.count} req</text>`);
    out.push(`<line x1="${LEFT}" y1="${y0 + PANEL}" x2="${LEFT + plotW}" y2="${y0 + PANEL}" stroke="#999999"/>`);
    counts.forEach((n, i) => {
      if (n === 0) return;
      const bh = (n / peak) * (PANEL - 10);
      out.push(`<rect x="${num(LEFT + i * bw + 0.5)}" y="${num(y0 + PANEL - bh)}" width="${num(Math.max(1, bw - 1))}" height="${num(bh)}" fill="#4a78c2"><title>${n}</title></rect>`);
    });
    let row = 0;
    for (const [name, v, color] of [['p50', p.s.p50, '#2e8b57'], ['p90', p.s.p90, '#d2891e'], ['p99', p.s.p99, '#c0392b']] as const) {
      if (!Number.isFinite(v)) continue;
      const xv = num(x(v));
      out.push(`<line x1="${xv}" y1="${y0}" x2="${xv}" y2="${y0 + PANEL}" stroke="${color}" stroke-dasharray="4 3"/>`);
      // Labelled in the margin, where marks close together cannot overlap.
      out.push(`<text x="${LEFT - 8}" y="${y0 + 50 + row * 14}" text-anchor="end" fill="${color}" font-size="11">${name} ${esc(human(v))}</text>`);
      row++;
    }
    out.push('</g>');
  });

  // The shared axis: a tick per decade.
  const yAxis = TOP + panels.length * (PANEL + GAP) + 14;
  for (let d = lo; d <= hi; d++) {
    const xv = num(LEFT + ((d - lo) / (hi - lo)) * plotW);
    out.push(`<line x1="${xv}" y1="${TOP}" x2="${xv}" y2="${yAxis - 10}" stroke="#eeeeee"/>`);
    out.push(`<text x="${xv}" y="${yAxis}" text-anchor="middle" fill="#333333">${decade(d)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** An HTML page (well-formed XHTML as well) with the figures' table and the SVG. */
export function histogramHtml(summary: TraceSummary, options: HistogramOptions = {}): string {
  const title = options.title ? `rxfuse trace: ${options.title}` : 'rxfuse trace';
  const rows = summary.stats().map((s) => `<tr><td>${esc(s.op)}</td><td>${s.count}</td><td>${s.rate.toFixed(1)}</td><td>${s.errors}</td>`
    + `<td>${esc(human(s.p50))}</td><td>${esc(human(s.p90))}</td><td>${esc(human(s.p99))}</td><td>${esc(human(s.max))}</td></tr>`);
  return [
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
    `<head><meta charset="utf-8"/><title>${esc(title)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}'
      + 'td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style></head>',
    `<body><h1>${esc(title)}</h1><p>${esc(summary.headline())}</p>`,
    '<table><thead><tr><th>op</th><th>count</th><th>ops/s</th><th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table>`,
    histogramSvg(summary, options),
    '</body></html>',
    '',
  ].join('\n');
}

/** Writes the histogram to `file`: HTML for .html/.htm, else SVG. */
export function writeHistogram(file: string, summary: TraceSummary, options: HistogramOptions = {}): void {
  const html = /\.html?$/i.test(file);
  fs.writeFileSync(file, html ? histogramHtml(summary, options) : histogramSvg(summary, options), { mode: 0o644 });
}
