// 3. The per-feature benches (dashboard, launch, webhooks, upload, reminders, digest, transcripts, late start,
//    export, retention), called as
// functions on the same stack, each judged by its own check.
import { demoProfiles } from "../../prisma/seed.ts";
import { dashboardBench } from "../dashboard.ts";
import { lateStartBench } from "../late-start.ts";
import { exportBench } from "../export.ts";
import { launchBench } from "../launch.ts";
import { addBookings } from "../lib/seed.ts";
import type { BenchContext } from "../lib/stack.ts";
import { remindersBench } from "../reminders.ts";
import { retentionBench } from "../retention.ts";
import { digestBench } from "../digest.ts";
import { transcriptBench } from "../transcripts.ts";
import { uploadBench } from "../upload.ts";
import { webhookBench } from "../webhooks.ts";
import { heading, type BenchResults, type BenchRun } from "./context.ts";

export async function perIssue(run: BenchRun, ctx: BenchContext) {
  const { quick, issue } = run.settings;
  const out: NonNullable<BenchResults["issue"]> = {};
  heading(`3a. Dashboard: one viewer with 200 bookings, one request at a time`);
  // The seed's other parent (one booking) with 199 more, with the other tutor: nobody else's pages change.
  await addBookings(ctx.db, {
    clientId: demoProfiles.otherParent.id,
    tutorId: demoProfiles.otherTutor.id,
    count: 199,
    label: "Dashboard bench lesson",
  });
  out.dashboard = await dashboardBench(ctx, {
    email: demoProfiles.otherParent.email,
    bookings: 200,
    seconds: issue.dashboardSeconds,
  });

  heading(`3b. Launch: fetch loops in the bench process at concurrency 1 and 20`);
  out.launch = await launchBench(ctx, { seconds: issue.launchSeconds, warmUpMs: issue.launchWarmUpMs });
  if (!out.launch.ok) run.failures.push("launch bench: unexpected statuses");

  heading(
    `3c. Webhooks: ${issue.webhookTotal.toLocaleString("en-GB")} deliveries, 10% duplicates, 5% bad signatures, then a database check`,
  );
  out.webhooks = await webhookBench(ctx, { total: issue.webhookTotal, concurrency: 20 });
  if (!out.webhooks.ok) run.failures.push(`webhook bench: ${out.webhooks.problems.slice(0, 3).join("; ")}`);

  heading(`3d. Upload: 50 MB refusals and an 8 MB PNG, server memory from /proc`);
  out.upload = await uploadBench(ctx, { rounds: issue.uploadRounds });
  if (!out.upload.ok) run.failures.push("upload bench: unexpected statuses");
  if (!out.upload.growthMet)
    run.failures.push(
      `upload bench: peak memory growth ${out.upload.worstRefusalGrowthMb.toFixed(1)} MB over the ${out.upload.growthTargetMb} MB target`,
    );

  heading(
    `3e. Reminders: ${issue.reminderBookings.toLocaleString("en-GB")} bookings due in one sweep, two workers, real SMTP to the catcher`,
  );
  out.reminders = await remindersBench(ctx, { bookings: issue.reminderBookings });
  if (!out.reminders.ok)
    run.failures.push(
      `reminders bench: ${out.reminders.duplicates} duplicates, ${out.reminders.missing} not delivered`,
    );
  heading(
    `3e'. Weekly digest: ${issue.digestFamilies.toLocaleString("en-GB")} families, two racing sweeps, two workers, real SMTP to the catcher`,
  );
  out.digest = await digestBench(ctx, { families: issue.digestFamilies });
  if (!out.digest.ok)
    run.failures.push(
      `digest bench: ${out.digest.duplicates} duplicates, ${out.digest.missing} missing, ${out.digest.perSecond.toFixed(0)} messages/s, ${out.digest.cpuMsPerMessage.toFixed(1)} CPU-ms/message`,
    );
  const transcripts = quick ? 50 : 500;
  heading(`3f. Transcripts: ingest ${transcripts} × 600 segments, search at c10, a learning record of 200 lessons`);
  out.transcripts = await transcriptBench(ctx, {
    transcripts,
    segments: 600,
    seconds: issue.dashboardSeconds,
    recordLessons: Math.min(200, transcripts),
  });
  if (!out.transcripts.ok) run.failures.push(`transcripts bench: ${out.transcripts.problems.slice(0, 3).join("; ")}`);

  const lateLessons = quick ? 1_000 : 10_000;
  heading(
    `3g. Late start: ${lateLessons.toLocaleString("en-GB")} lessons starting at once, alerts at the five-minute mark, two workers`,
  );
  out.lateStart = await lateStartBench(ctx, { lessons: lateLessons });
  if (!out.lateStart.ok)
    run.failures.push(
      `late-start bench: decided in ${out.lateStart.decidedSeconds.toFixed(1)} s (floor ${out.lateStart.floorSeconds} s), ` +
        `${out.lateStart.duplicates} duplicates, ${out.lateStart.undecided} never sent or skipped`,
    );
  const exportLessons = quick ? 100 : 1000;
  heading(
    `3h. Export: a learner with ${exportLessons.toLocaleString("en-GB")} lessons × 600 transcript lines, one streamed ZIP`,
  );
  out.export = await exportBench(ctx, { lessons: exportLessons, segments: 600 });
  if (!out.export.ok) run.failures.push(`export bench: ${out.export.problems.slice(0, 3).join("; ")}`);

  const segments = quick ? 10_000 : 100_000;
  heading(`3i. Retention: the job removes ${segments.toLocaleString("en-GB")} expired segments beside the dashboard`);
  out.retention = await retentionBench(ctx, { segments, seconds: issue.dashboardSeconds });
  if (!out.retention.ok) run.failures.push(`retention bench: ${out.retention.problems.slice(0, 3).join("; ")}`);
  return out;
}
