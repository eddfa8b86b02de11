// 1b. A cheap phone on a poor network: bench/paint.ts on the run's stack, judged in a full run (a
// quick run's single load per case is too noisy to judge on a shared machine).
import type { BenchContext } from "../lib/stack.ts";
import { paintBench, PAINT_ALLOWANCE, type PaintFigures } from "../paint.ts";
import { heading, say, type BenchRun } from "./context.ts";

export async function firstPaint(run: BenchRun, ctx: BenchContext): Promise<PaintFigures> {
  const { quick, paintRuns } = run.settings;
  heading(
    `1b. First paint on a cheap phone (Chromium, throttled network and CPU, cold cache; JavaScript on within ${PAINT_ALLOWANCE * 100}% of off)`,
  );
  const figures = await paintBench(ctx, { runs: paintRuns });
  if (quick) say("  (quick run: one load per case, figures indicative only, not judged)");
  else {
    for (const v of figures.verdicts.filter((v) => !v.met))
      run.failures.push(
        `first paint: ${v.page} on ${v.phone} with JavaScript ${v.on.toFixed(0)} ms vs ${v.off.toFixed(0)} ms without (${v.ratio.toFixed(2)}×)`,
      );
  }
  for (const problem of figures.problems) run.failures.push(`first paint: ${problem}`);
  return figures;
}
