import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { BarChart, FONT_SIZE, labelledCategories, MIN_TEXT_PX, NARROWEST_CHART_PX } from "./BarChart";

const months = ["Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026"];
const weeks = Array.from({ length: 16 }, (_, index) => `w/c ${index + 1} Nov`);

function chart(categories: string[], values: (number | null)[]) {
  return renderToStaticMarkup(
    <BarChart
      id="lessons"
      title="Lessons by month"
      description="Lessons booked"
      categories={categories}
      series={[{ name: "Booked", color: "#000", values }]}
      format={(value) => String(value)}
    />,
  );
}

const axisLabels = (markup: string, categories: string[]) =>
  categories.filter((category) => markup.includes(`>${category}</text>`));

describe("BarChart", () => {
  it("sizes its text so that it renders at 12 px or more when the chart is at its narrowest", () => {
    const viewBoxWidth = Number(
      /viewBox="0 0 (\d+) /.exec(
        chart(
          months,
          months.map(() => 1),
        ),
      )![1],
    );
    expect((FONT_SIZE * NARROWEST_CHART_PX) / viewBoxWidth).toBeGreaterThanOrEqual(MIN_TEXT_PX);
    expect(
      chart(
        months,
        months.map(() => 1),
      ),
    ).toContain(`font-size="${FONT_SIZE}"`);
  });

  it("labels every period that has data, even where empty ones are thinned", () => {
    const values = weeks.map((_, index) => (index === 3 || index === 4 || index === 15 ? 2 : 0));
    const labelled = axisLabels(chart(weeks, values), weeks);
    for (const index of [3, 4, 15]) expect(labelled).toContain(weeks[index]);
    expect(labelled.length).toBeLessThan(weeks.length);
  });

  it("puts its numbers in a keyboard-reachable scroll box named by the table's caption", () => {
    const markup = chart(months, [1, 2, 3, 4, 5, 6]);
    expect(markup).toMatch(/<div class="table-scroll" role="region" aria-labelledby="lessons-table" tabindex="0">/);
    expect(markup).toContain('<caption id="lessons-table"');
  });
});

describe("labelledCategories", () => {
  it("keeps every category with data and thins the empty ones, away from labelled neighbours", () => {
    expect(labelledCategories([false, false, false, false, false, false], 2)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(labelledCategories([false, true, true, false, false, false], 2)).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(labelledCategories([true, true, true], 3)).toEqual([true, true, true]);
  });
});
