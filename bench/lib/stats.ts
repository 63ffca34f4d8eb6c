// Summary statistics and number formatting for the table and the chart.
import type { Unit } from './suite.js';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summarize(xs: readonly number[]): Summary {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** 3 significant digits below 1,000, then whole numbers with thousands separators. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const rounded = Number(v.toPrecision(3));
  if (Math.abs(rounded) >= 1000) return Math.round(v).toLocaleString('en-US');
  return rounded.toString();
}

export function formatValue(v: number, unit: Unit): string {
  return `${formatNumber(v)} ${unit}`;
}

export function formatRange(s: Summary): string {
  return `${formatNumber(s.min)}–${formatNumber(s.max)}`;
}

export function formatRatio(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return '—';
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(3)}×`;
}

/** A compact count: 100000 → 100k, 1000000 → 1M. */
export function formatCount(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}
