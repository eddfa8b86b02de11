// 5. The end of the hour (bench/end-of-hour.ts) on a stack of its own: two app servers with
// WORKERS_IN_PROCESS=false, two `npm run worker` processes and the Lessonspace stand-in limiting
// 5 requests a second, as production runs at scale. Each figure is judged against its floor.
import { endOfHourBench } from "../end-of-hour.ts";
import { heading, type BenchRun } from "./context.ts";

export async function endOfHour(run: BenchRun) {
  const lessons = run.settings.quick ? 100 : 1_000;
  heading(`5. End of the hour: ${lessons.toLocaleString("en-GB")} lessons ending at once, two servers, two workers`);
  const figures = await endOfHourBench({ lessons, dashboardSeconds: run.settings.quick ? 3 : 10 });
  for (const check of figures.checks.filter((c) => !c.pass))
    run.failures.push(`end of the hour: ${check.name} ${check.value} (floor ${check.floor})`);
  return figures;
}
