/**
 * A grouped bar chart drawn on the server as SVG: no JavaScript, scales to the width of a phone
 * (viewBox, width 100%), an accessible name and description, and the same numbers as a table.
 */

export type ChartSeries = { name: string; color: string; values: (number | null)[] };

type Props = {
  id: string;
  title: string;
  /** What the chart shows, in words, for people who cannot see it. */
  description: string;
  categories: string[];
  series: ChartSeries[];
  /** How a value reads in the table and on the axis ("12", "45 min", "40%"). */
  format: (value: number) => string;
  /** Fixed top of the axis (e.g. 1 for shares); otherwise the largest value. */
  max?: number;
};

const WIDTH = 360;
const HEIGHT = 200;
const PAD = { top: 12, right: 8, bottom: 28, left: 40 };

export function BarChart({ id, title, description, categories, series, format, max }: Props) {
  const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  const top = max ?? Math.max(1, ...values);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const group = plotWidth / Math.max(1, categories.length);
  const bar = Math.max(1, (group * 0.8) / Math.max(1, series.length));
  const y = (value: number) => PAD.top + plotHeight - (Math.min(value, top) / top) * plotHeight;
  // At most about eight labels fit under the bars on a phone.
  const labelEvery = Math.max(1, Math.ceil(categories.length / 8));
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  return (
    <figure className="chart-figure">
      <svg
        className="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        {[0, 0.5, 1].map((fraction) => (
          <g key={fraction}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(top * fraction)}
              y2={y(top * fraction)}
              stroke="#d0d7de"
              strokeWidth="0.5"
            />
            <text x={PAD.left - 4} y={y(top * fraction) + 3} fontSize="9" textAnchor="end" fill="#57606a">
              {format(top * fraction)}
            </text>
          </g>
        ))}
        {categories.map((category, index) => (
          <g key={category}>
            {series.map((s, seriesIndex) => {
              const value = s.values[index];
              if (value === null || value === undefined) return null;
              const x = PAD.left + index * group + group * 0.1 + seriesIndex * bar;
              return (
                <rect
                  key={s.name}
                  x={x}
                  y={y(value)}
                  width={bar}
                  height={PAD.top + plotHeight - y(value)}
                  fill={s.color}
                />
              );
            })}
            {index % labelEvery === 0 ? (
              <text
                x={PAD.left + index * group + group / 2}
                y={HEIGHT - PAD.bottom + 12}
                fontSize="9"
                textAnchor="middle"
                fill="#57606a"
              >
                {category}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
      <ul className="legend" aria-hidden="true">
        {series.map((s) => (
          <li key={s.name}>
            {/* A presentation attribute, not a style: the Content-Security-Policy allows no inline styles. */}
            <svg className="swatch" viewBox="0 0 10 10">
              <rect width="10" height="10" fill={s.color} />
            </svg>
            {s.name}
          </li>
        ))}
      </ul>
      <details>
        <summary>{title}: the numbers</summary>
        <div className="table-scroll">
          <table>
            <caption className="muted small">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                {series.map((s) => (
                  <th key={s.name} scope="col">
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {categories.map((category, index) => (
                <tr key={category}>
                  <th scope="row">{category}</th>
                  {series.map((s) => {
                    const value = s.values[index];
                    return <td key={s.name}>{value === null || value === undefined ? "–" : format(value)}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
