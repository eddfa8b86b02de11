// 3. The per-issue benches (dashboard, launch, webhooks, upload, reminders, transcripts), called as
// functions on the same stack, each judged by its own check.
import { demoProfiles } from "../../prisma/seed.ts";
import { dashboardBench } from "../dashboard.ts";
import { launchBench } from "../launch.ts";
import { addBookings } from "../lib/seed.ts";
import type { BenchContext } from "../lib/stack.ts";
import { remindersBench } from "../reminders.ts";
import { transcriptBench } from "../transcripts.ts";
import { uploadBench } from "../upload.ts";
import { webhookBench } from "../webhooks.ts";
import { heading, type BenchResults, type BenchRun } from "./context.ts";

export async function perIssue(run: BenchRun, ctx: BenchContext) {
  const { quick, issue } = run.settings;
  const out: NonNullable<BenchResults["issue"]> = {};
  heading(`3a. Dashboard (issue 3): one viewer with 200 bookings, one request at a time`);
  // The seed's other parent (one booking) with 199 more, with the other tutor: nobody else's pages change.
  await addBookings(ctx.db, {
    clientId: demoProfiles.otherParent.id,
    tutorId: demoProfiles.otherTutor.id,
    count: 199,
    label: "Issue 3 bench lesson",
  });
  out.dashboard = await dashboardBench(ctx, {
    email: demoProfiles.otherParent.email,
    bookings: 200,
    seconds: issue.dashboardSeconds,
  });

  heading(`3b. Launch (issue 4): fetch loops in the bench process at concurrency 1 and 20`);
  out.launch = await launchBench(ctx, { seconds: issue.launchSeconds, warmUpMs: issue.launchWarmUpMs });
  if (!out.launch.ok) run.failures.push("issue 4 launch bench: unexpected statuses");

  heading(
    `3c. Webhooks (issue 5): ${issue.webhookTotal.toLocaleString("en-GB")} deliveries, 10% duplicates, 5% bad signatures, then a database check`,
  );
  out.webhooks = await webhookBench(ctx, { total: issue.webhookTotal, concurrency: 20 });
  if (!out.webhooks.ok) run.failures.push(`issue 5 webhook bench: ${out.webhooks.problems.slice(0, 3).join("; ")}`);

  heading(`3d. Upload (issue 6): 50 MB refusals and an 8 MB PNG, server memory from /proc`);
  out.upload = await uploadBench(ctx, { rounds: issue.uploadRounds });
  if (!out.upload.ok) run.failures.push("issue 6 upload bench: unexpected statuses");
  if (!out.upload.growthMet)
    run.failures.push(
      `issue 6 upload bench: peak memory growth ${out.upload.worstRefusalGrowthMb.toFixed(1)} MB over the ${out.upload.growthTargetMb} MB target`,
    );

  heading(
    `3e. Reminders (issue 10): ${issue.reminderBookings.toLocaleString("en-GB")} bookings due in one sweep, two workers, real SMTP to the catcher`,
  );
  out.reminders = await remindersBench(ctx, { bookings: issue.reminderBookings });
  if (!out.reminders.ok)
    run.failures.push(
      `issue 10 reminders bench: ${out.reminders.duplicates} duplicates, ${out.reminders.missing} not delivered`,
    );
  const transcripts = quick ? 50 : 500;
  heading(
    `3f. Transcripts (issue 12): ingest ${transcripts} × 600 segments, search at c10, a learning record of 200 lessons`,
  );
  out.transcripts = await transcriptBench(ctx, {
    transcripts,
    segments: 600,
    seconds: issue.dashboardSeconds,
    recordLessons: Math.min(200, transcripts),
  });
  if (!out.transcripts.ok)
    run.failures.push(`issue 12 transcripts bench: ${out.transcripts.problems.slice(0, 3).join("; ")}`);
  return out;
}
