// The dashboard against its no-framework ceiling in alternating pairs of runs at c10, the ratios
// its targets are judged on.
import type { LoadSpec, MeasuredLoad } from "../lib/load.ts";
import { median } from "../lib/stats.ts";
import { pct, type BenchRun } from "./context.ts";
import type { PairedRatios } from "./figures.ts";

type LoadTarget = { name: string; url: string; pid: number; requests: LoadSpec["requests"] };

/**
 * The app against its ceiling in alternating runs at c10 (app, ceiling; ceiling, app; …), each
 * ratio taken within its pair. Two single runs minutes apart move ±20–30% on this shared machine,
 * and the neighbours' drift hits both sides of a pair alike: the median of the pairs is what
 * dashboard targets are judged on.
 */
export async function pairedRatios(
  run: BenchRun,
  app: LoadTarget,
  ceiling: LoadTarget,
  count: number,
): Promise<PairedRatios> {
  const { speedSeconds, speedWarmupSeconds } = run.settings;
  const pairs: PairedRatios["pairs"] = [];
  for (let i = 0; i < count; i++) {
    const measured = new Map<LoadTarget, MeasuredLoad>();
    for (const side of i % 2 ? [ceiling, app] : [app, ceiling]) {
      measured.set(
        side,
        await run.load.run(
          {
            url: side.url,
            connections: 10,
            seconds: speedSeconds,
            warmupSeconds: speedWarmupSeconds,
            requests: side.requests,
          },
          side.pid,
        ),
      );
    }
    const a = measured.get(app)!;
    const c = measured.get(ceiling)!;
    if (a.unexpected || a.errors || c.unexpected || c.errors)
      run.failures.push(
        `paired dashboard runs: unexpected statuses or errors (${a.firstError ?? c.firstError ?? "see the table"})`,
      );
    pairs.push({
      throughput: a.rps / c.rps,
      perCpuSecond: (a.perCpuSecond ?? NaN) / (c.perCpuSecond ?? NaN),
      appRps: a.rps,
      ceilingRps: c.rps,
    });
  }
  return {
    pairs,
    throughput: median(pairs.map((p) => p.throughput)),
    perCpuSecond: median(pairs.map((p) => p.perCpuSecond)),
  };
}

export function describePairs(paired: PairedRatios, speedSeconds: number): string[] {
  const range = (values: number[]) => `${pct(Math.min(...values))}–${pct(Math.max(...values))}`;
  return [
    `Paired runs (${paired.pairs.length} pairs of ${speedSeconds} s at c10, app and no-framework ceiling alternating): throughput ${pct(paired.throughput)} of the ceiling`,
    `  (median; pairs ${range(paired.pairs.map((p) => p.throughput))}), per CPU second ${pct(paired.perCpuSecond)} (pairs ${range(paired.pairs.map((p) => p.perCpuSecond))}).` +
      ` Targets ≥ 60% and ≥ 50%: ${paired.throughput >= 0.6 ? "met" : "NOT MET"}, ${paired.perCpuSecond >= 0.5 ? "met" : "NOT MET"}.`,
  ];
}
