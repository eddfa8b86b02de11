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
/**
 * The narrowest the chart is drawn: a 320 px screen less the page's padding (1rem each side).
 * The viewBox scales text with the chart, so its size is set in viewBox units from this width:
 * at 320 px the axis text renders at 12 px, and larger beside it on wider screens.
 */
export const NARROWEST_CHART_PX = 288;
export const MIN_TEXT_PX = 12;
export const FONT_SIZE = Math.ceil((MIN_TEXT_PX * WIDTH) / NARROWEST_CHART_PX);
const PAD = { top: FONT_SIZE, right: 8, bottom: FONT_SIZE * 5, left: Math.round(FONT_SIZE * 4.6) };
const HEIGHT = 240;

/**
 * Which categories get a label under the axis: every one with a value, always; the empty ones
 * only every `every`-th (counted from the first), and only when no labelled neighbour sits
 * closer than that, so the axis stays readable without hiding a period that has data.
 */
export function labelledCategories(hasData: readonly boolean[], every: number): boolean[] {
  const labelled = hasData.map((data, index) => data || index % every === 0);
  return labelled.map((label, index) => {
    if (!label || hasData[index]) return label;
    for (let near = Math.max(0, index - every + 1); near < Math.min(hasData.length, index + every); near++) {
      if (near !== index && hasData[near]) return false;
    }
    return true;
  });
}

export function BarChart({ id, title, description, categories, series, format, max }: Props) {
  const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  const top = max ?? Math.max(1, ...values);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const group = plotWidth / Math.max(1, categories.length);
  const bar = Math.max(1, (group * 0.8) / Math.max(1, series.length));
  const y = (value: number) => PAD.top + plotHeight - (Math.min(value, top) / top) * plotHeight;
  // Labels run at 45°: neighbours are group × sin 45° apart, and need a line's height between them.
  const labelEvery = Math.max(1, Math.ceil(FONT_SIZE / (group * Math.SQRT1_2)));
  const labelled = labelledCategories(
    categories.map((_, index) => series.some((s) => (s.values[index] ?? 0) > 0)),
    labelEvery,
  );
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const tableId = `${id}-table`;
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
            <text
              x={PAD.left - 4}
              y={y(top * fraction) + FONT_SIZE / 3}
              fontSize={FONT_SIZE}
              textAnchor="end"
              fill="#57606a"
            >
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
            {labelled[index] ? (
              <text
                x={PAD.left + index * group + group / 2}
                y={HEIGHT - PAD.bottom + FONT_SIZE}
                fontSize={FONT_SIZE}
                textAnchor="end"
                fill="#57606a"
                transform={`rotate(-45 ${PAD.left + index * group + group / 2} ${HEIGHT - PAD.bottom + FONT_SIZE})`}
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
        {/* Its own scroll box: on a phone the table scrolls sideways, never the page. It takes focus
            so that a keyboard can scroll it (a named region, not a control). */}
        {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
        <div className="table-scroll" role="region" aria-labelledby={tableId} tabIndex={0}>
          <table>
            <caption id={tableId} className="muted small">
              {title}
            </caption>
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
