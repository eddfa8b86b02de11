// What every part of `npm run bench` shares: the settings bench/run.ts reads from its flags and
// BENCH_* variables, the load generator, the ceiling servers still running, the figures so far
// and the failures that decide the exit code.
import { HISTORY_SIZES, type DashboardFigures, type HistoryFigures } from "../dashboard.ts";
import type { LateStartFigures } from "../late-start.ts";
import type { EndOfHourFigures } from "../end-of-hour.ts";
import type { LaunchFigures } from "../launch.ts";
import type { LoadGenerator, MeasuredLoad } from "../lib/load.ts";
import type { PageWeight } from "../lib/page-weight.ts";
import type { PaintFigures } from "../paint.ts";
import type { ChildServer } from "../lib/processes.ts";
import type { createWebhookRooms } from "../lib/seed.ts";
import type { ReminderFigures } from "../reminders.ts";
import type { ExportFigures } from "../export.ts";
import type { DigestFigures } from "../digest.ts";
import type { TranscriptFigures } from "../transcripts.ts";
import type { RetentionFigures } from "../retention.ts";
import type { UploadFigures } from "../upload.ts";
import type { WebhookFigures } from "../webhooks.ts";
import type { FloorBound, MemoryFigures, PairedRatios, RenderFloor, SoakFigures } from "./figures.ts";

export interface BenchSettings {
  quick: boolean;
  speedSeconds: number;
  speedWarmupSeconds: number;
  speedFirstWarmupSeconds: number;
  concurrencies: number[];
  /** Alternating app/ceiling runs behind the two dashboard ratios (see pairedRatios). */
  dashboardPairs: number;
  soakSeconds: number;
  soakSliceSeconds: number;
  soakConnections: number;
  soakSettleSeconds: number;
  /** Below this the soak is a smoke test: its memory trend is printed but not judged. */
  soakJudgedFromSeconds: number;
  skip: Set<string>;
  /** Cold loads per case of the cheap-phone first paint (bench/paint.ts). */
  paintRuns: number;
  /** Sizes of the per-feature benches. */
  issue: {
    dashboardSeconds: number;
    launchSeconds: number;
    launchWarmUpMs: number;
    webhookTotal: number;
    uploadRounds: number;
    reminderBookings: number;
    digestFamilies: number;
  };
}

export const DASHBOARD_BOOKINGS = 50;
/** The long history, measured at c10 beside the 50-booking dashboard. */
export const HISTORY_PAGE = `dashboard (${HISTORY_SIZES.large.toLocaleString("en-GB")} bookings)`;
/** The server's RSS peak under c50 must stay under this (it runs in a 512 MB container). */
export const RSS_TARGET_MB = 450;
export const WEBHOOK_ROOMS = 200;

export type Cookies = { history: string; adult: string; tutor: string; parent: string; child: string };
export type WebhookRooms = Awaited<ReturnType<typeof createWebhookRooms>>;
export type SpeedRow = { target: string; concurrency: number; result: MeasuredLoad };

export interface BenchResults {
  pages?: PageWeight[];
  budgetOverruns?: string[];
  paint?: PaintFigures;
  speed?: SpeedRow[];
  history?: HistoryFigures;
  markup?: string;
  bookingMarkup?: string;
  renderFloor?: RenderFloor & { bound: FloorBound };
  dashboardPairs?: PairedRatios;
  memory?: MemoryFigures;
  issue?: {
    dashboard?: DashboardFigures;
    launch?: LaunchFigures;
    webhooks?: WebhookFigures;
    upload?: UploadFigures;
    reminders?: ReminderFigures;
    digest?: DigestFigures;
    transcripts?: TranscriptFigures;
    lateStart?: LateStartFigures;
    export?: ExportFigures;
    retention?: RetentionFigures;
  };
  soak?: SoakFigures;
  endOfHour?: EndOfHourFigures;
}

export interface BenchRun {
  settings: BenchSettings;
  load: LoadGenerator;
  /** Ceiling servers still running: stopped at the end whatever happens. */
  ceilings: ChildServer[];
  results: BenchResults;
  failures: string[];
  startedAt: Date;
  loadAtStart: number[];
}

export const say = (line = "") => console.log(line);
export const heading = (title: string) => say(`\n=== ${title} ${"=".repeat(Math.max(0, 96 - title.length))}`);
export const loadAverage = (l: number[]) => l.map((n) => n.toFixed(2)).join(" / ");

export function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
}
