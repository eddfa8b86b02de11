// bench/export: the family's export (docs/decisions/0074-the-family-export.md) of a learner with
// 1,000 lessons, each with a 60-minute transcript (600 segments) and talk time, downloaded whole
// through the production server as the learner's guardian: the time to the last byte, the ZIP's
// size, and the server's peak resident memory growth while it streams (goal: under 50 MB).
// Creates its own people, so it can run beside the other benches on the same database.
//
//   npx tsx bench/export.ts   (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   LESSONS=… SEGMENTS=… to change the size; BENCH_QUICK=1 for 100 lessons.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import yauzl from "yauzl";
import { readStatus, resetPeakRss } from "./lib/processes.ts";
import { isMain, runStandalone, signIn, type BenchContext } from "./lib/stack.ts";

export type ExportFigures = {
  lessons: number;
  segments: number;
  seconds: number;
  zipMb: number;
  entries: number;
  growthMb: number;
  growthTargetMb: number;
  ok: boolean;
  problems: string[];
};

const TARGET_GROWTH_MB = 50;
const WORDS = "we look at fractions the denominator and numerator of a photosynthesis leaf light sugar".split(" ");

export async function exportBench(
  context: BenchContext,
  options: { lessons: number; segments: number },
): Promise<ExportFigures> {
  const { db, stack, appUrl } = context;
  const problems: string[] = [];
  const password = "bench-export-2026";
  const people = { tutor: randomUUID(), parent: randomUUID(), child: randomUUID() };
  const parentEmail = `parent-${people.parent}@bench.test`;
  for (const [role, id] of Object.entries(people)) {
    const email = role === "parent" ? parentEmail : `${role}-${id}@bench.test`;
    await stack.supabase.createUser({ id, email, password });
    await db.profile.create({ data: { id, email, fullName: `Bench ${role}` } });
  }
  await db.profileGraph.create({
    data: {
      sourceProfileId: people.parent,
      targetProfileId: people.child,
      relationshipType: "GUARDIAN",
      status: "ACTIVE",
    },
  });

  const started = Date.now();
  const day = 24 * 3600_000;
  const lessons = Array.from({ length: options.lessons }, (_, i) => ({
    bookingId: randomUUID(),
    sessionId: randomUUID(),
    start: new Date(started - (i + 1) * day),
  }));
  await db.booking.createMany({
    data: lessons.map((l) => ({
      id: l.bookingId,
      clientId: people.parent,
      tutorId: people.tutor,
      studentId: people.child,
      serviceName: "Bench Export",
      sessionStartTime: l.start,
      sessionDuration: 60,
      status: "Completed" as const,
      durationActual: 3600,
    })),
  });
  await db.lessonspaceSession.createMany({
    data: lessons.map((l) => ({
      sessionId: l.sessionId,
      bookingId: l.bookingId,
      startedAt: l.start,
      endedAt: new Date(l.start.getTime() + 3600_000),
      durationSeconds: 3600,
    })),
  });
  // One statement per 100 lessons, generated in PostgreSQL: the bench measures the export, not the seeding.
  const sessionIds = lessons.map((l) => l.sessionId);
  for (let from = 0; from < sessionIds.length; from += 100) {
    const slice = sessionIds.slice(from, from + 100);
    await db.$executeRaw`
      INSERT INTO transcript_segments (session_id, booking_id, position, speaker_profile_id, speaker_name, start_seconds, end_seconds, text)
      SELECT s.session_id, s.booking_id, g.i,
             CASE WHEN g.i % 3 = 2 THEN ${people.child}::uuid ELSE ${people.tutor}::uuid END,
             CASE WHEN g.i % 3 = 2 THEN 'Bench child' ELSE 'Bench tutor' END,
             g.i * ${3600 / options.segments}::float8, (g.i + 0.9) * ${3600 / options.segments}::float8,
             ${WORDS.join(" ")} || ' ' || g.i
        FROM lessonspace_sessions s CROSS JOIN generate_series(0, ${options.segments - 1}::int) AS g(i)
       WHERE s.session_id = ANY(${slice})`;
    await db.$executeRaw`
      INSERT INTO transcript_speakers (session_id, booking_id, speaker_key, speaker_profile_id, speaker_name, seconds)
      SELECT s.session_id, s.booking_id, p.id::text, p.id, p.name, p.seconds
        FROM lessonspace_sessions s
       CROSS JOIN (VALUES (${people.tutor}::uuid, 'Bench tutor', 2100::float8), (${people.child}::uuid, 'Bench child', 1000::float8)) AS p(id, name, seconds)
       WHERE s.session_id = ANY(${slice})`;
  }
  console.log(
    `  seeded ${options.lessons.toLocaleString("en-GB")} lessons × ${options.segments} segments in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const cookie = await signIn(appUrl, parentEmail, password);
  const pid = context.server.pid;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const baseline = readStatus(pid).rssKb;
  const peakWasReset = resetPeakRss(pid);
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, readStatus(pid).rssKb);
  }, 5);
  const file = path.join(os.tmpdir(), `bench-export-${randomUUID()}.zip`);
  const began = performance.now();
  let bytes = 0;
  try {
    const response = await fetch(`${appUrl}/students/${people.child}/export`, { headers: { Cookie: cookie } });
    if (response.status !== 200) problems.push(`export answered ${response.status}`);
    const out = fs.createWriteStream(file);
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - began) / 1000;
  const hwm = readStatus(pid).hwmKb;
  peak = Math.max(peak, hwm > 0 && peakWasReset ? hwm : 0);
  const growthMb = (peak - baseline) / 1024;

  // The ZIP must be whole and hold every line.
  const entries: string[] = [];
  let transcriptLines = 0;
  try {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
    );
    await new Promise<void>((resolve, reject) => {
      zip.on("entry", (entry: yauzl.Entry) => {
        entries.push(entry.fileName);
        if (entry.fileName !== "transcripts.csv") return zip.readEntry();
        zip.openReadStream(entry, (error, stream) => {
          if (error) return reject(error);
          stream.on("data", (chunk: Buffer) => {
            for (const byte of chunk) if (byte === 10) transcriptLines++;
          });
          stream.on("end", () => zip.readEntry());
          stream.on("error", reject);
        });
      });
      zip.on("end", resolve);
      zip.on("error", reject);
      zip.readEntry();
    });
  } catch (error) {
    problems.push(`the ZIP does not open: ${(error as Error).message}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
  const expectedLines = options.lessons * options.segments + 1;
  if (transcriptLines !== expectedLines)
    problems.push(`transcripts.csv has ${transcriptLines} lines, expected ${expectedLines}`);

  const figures: ExportFigures = {
    lessons: options.lessons,
    segments: options.lessons * options.segments,
    seconds,
    zipMb: bytes / 1024 / 1024,
    entries: entries.length,
    growthMb,
    growthTargetMb: TARGET_GROWTH_MB,
    ok: problems.length === 0 && growthMb < TARGET_GROWTH_MB,
    problems: growthMb < TARGET_GROWTH_MB ? problems : [...problems, `peak RSS growth ${growthMb.toFixed(1)} MB`],
  };
  console.log(
    `  export of ${figures.lessons.toLocaleString("en-GB")} lessons (${figures.segments.toLocaleString("en-GB")} transcript lines): ` +
      `${seconds.toFixed(1)} s, ${figures.zipMb.toFixed(1)} MB ZIP, ${figures.entries} files; ` +
      `server peak RSS growth ${growthMb.toFixed(1)} MB (goal < ${TARGET_GROWTH_MB} MB)${figures.ok ? "" : ` — ${figures.problems.join("; ")}`}`,
  );
  return figures;
}

if (isMain(import.meta.url)) {
  await runStandalone({ name: "export" }, async (context) => {
    console.log(
      `\nbench/export — production build, Node ${process.version}, ${os.cpus().length} CPUs, embedded PostgreSQL`,
    );
    const quick = process.env.BENCH_QUICK === "1";
    return exportBench(context, {
      lessons: Number(process.env.LESSONS ?? (quick ? 100 : 1000)),
      segments: Number(process.env.SEGMENTS ?? 600),
    });
  });
}
