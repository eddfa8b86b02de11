// The figures the bench's own sections measure, as bench/sections/context.ts collects them (types only,
// so that context.ts and the sections that fill them do not import each other).
import type { MeasuredLoad } from "../lib/load.ts";

export type SoakSlice = {
  endSeconds: number;
  result: MeasuredLoad;
  rssPeakKb: number;
  rssAfterGcKb: number;
  heapAfterGcBytes: number | null;
};

export type RenderFloor = {
  rounds: number;
  reactMs: number;
  reactBytes: number;
  templateMs: number;
  templateBytes: number;
  rulesMs: number;
  documentMs: number;
  documentBytes: number;
  hydrationMs: number;
  hydrationBytes: number;
};

export type FloorBound = { appMs: number; ceilingMs: number; allowedMs: number; floorMs: number; reachable: boolean };

export type MemoryFigures = {
  flags: string[];
  seconds: number;
  requests: number;
  rps: number;
  statuses: Record<string, number>;
  rssPeakKb: number;
  heapAfterGcBytes: number;
  atPeak: NodeJS.MemoryUsage | null;
  afterGc: NodeJS.MemoryUsage;
  targetMb: number;
};

export type PairedRatios = {
  pairs: { throughput: number; perCpuSecond: number; appRps: number; ceilingRps: number }[];
  throughput: number;
  perCpuSecond: number;
};

export type SoakFigures = {
  seconds: number;
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  unexpected: number;
  statuses: Record<string, number>;
  rssStartKb: number;
  rssEndKb: number;
  heapStartBytes: number | null;
  heapEndBytes: number | null;
  /** Fitted growth of the heap after GC, projected over all the soak's requests. */
  heapGrowthMb: number | null;
  rssGrowthMb: number;
  growthFlagged: boolean;
  judged: boolean;
  slices: SoakSlice[];
};
