// Small numeric and printing helpers shared by the bench scripts.

/** The p-quantile (0..1) of an ascending array: the value at rank ceil(p·n). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - meanX) * (p.y - meanY);
    den += (p.x - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Standard deviation of the points around their least-squares line: the noise a trend must beat. */
export function residualStdDev(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 3) return 0;
  const b = slope(points);
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const squares = points.reduce((sum, p) => sum + (p.y - (meanY + b * (p.x - meanX))) ** 2, 0);
  return Math.sqrt(squares / (n - 2));
}

export function countBy(values: Iterable<number | string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

export const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : 1)} ms` : "—");
export const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
export const kib = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);

/**
 * A plain text table: the first row is the header; numbers-looking cells are right-aligned.
 * `minWidths` keeps columns aligned across tables printed one row at a time.
 */
export function table(rows: readonly (readonly string[])[], indent = "  ", minWidths: readonly number[] = []): string {
  const widths: number[] = [...minWidths];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const numeric = (cell: string) => /^[-+≈~]?[\d.,]+( ?[a-zA-Z%×/]+)?$|^—$/.test(cell);
  return rows
    .map(
      (row, r) =>
        indent +
        row
          .map((cell, i) =>
            (r > 0 || rows.length === 1) && i > 0 && numeric(cell)
              ? cell.padStart(widths[i]!)
              : cell.padEnd(widths[i]!),
          )
          .join("  ")
          .trimEnd(),
    )
    .join("\n");
}
