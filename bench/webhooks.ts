// bench/webhooks: Lessonspace webhook ingestion under load. Sends 2,000 signed deliveries
// over loopback at concurrency 20 to the production build (10% duplicates, 5% bad signatures),
// prints deliveries/s and p50/p95 latency, then checks that the database ends exactly as it
// should: every good event applied once, nothing from the bad ones.
//
//   npx tsx bench/webhooks.ts      (builds into build-bench when needed; BUILD_DIR=… for another folder)
//   TOTAL=… CONCURRENCY=… to change the load; BENCH_SERVER_FLAGS="--cpu-prof --cpu-prof-dir=…" to profile the server.
import { randomUUID } from "node:crypto";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { signWebhook } from "../tests/stand-ins/lessonspace.ts";
import { cpuSeconds } from "./lib/processes.ts";
import { isMain, runStandalone, type BenchContext } from "./lib/stack.ts";
import { countBy, percentile } from "./lib/stats.ts";

const DUPLICATE_SHARE = 0.1;
const BAD_SHARE = 0.05;
const EVENTS_PER_ROOM = 10;

export type WebhookFigures = {
  deliveries: number;
  events: number;
  rooms: number;
  duplicates: number;
  forged: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  /** CPU seconds the app server process used while the deliveries ran. */
  serverCpuSeconds: number;
  /** Deliveries per CPU second of the app server: its cost per delivery, little moved by neighbours. */
  perServerCpuSecond: number;
  p50: number;
  p95: number;
  max: number;
  statuses: Record<string, number>;
  problems: string[];
  ok: boolean;
};

type Delivery = { id: string; event: string; body: string; signature: string; expect: number };
type Room = { index: number; bookingId: string; roomId: string; secret: string };
type RoomExpectation = {
  bookingId: string;
  durationActual: number;
  recordingUrl: string;
  sessions: Map<string, number>;
  attendance: Map<string, number>; // `${sessionId}|${profileId}` -> seconds
};

function semaphore(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** `count` distinct steps at random, latest first within each lane, so that inserting a copy right
 * after one step never shifts the positions of the steps still to be handled. */
function pick(steps: { lane: number; step: number }[], count: number): { lane: number; step: number }[] {
  const copy = [...steps];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count).sort((a, b) => a.lane - b.lane || b.step - a.step);
}

/**
 * Sends `total` deliveries at `concurrency` and checks the database afterwards. Creates its own
 * profiles, bookings and rooms, so it can run beside other benches on the same database.
 */
export async function webhookBench(
  context: BenchContext,
  options: { total: number; concurrency: number },
): Promise<WebhookFigures> {
  const { db, stack } = context;
  const TOTAL = options.total;
  const CONCURRENCY = options.concurrency;
  const webhookUrl = `${context.appUrl}/api/webhooks/lessonspace`;
  const badCount = Math.round(TOTAL * BAD_SHARE);
  const duplicateCount = Math.round(TOTAL * DUPLICATE_SHARE);
  const rooms = Math.floor((TOTAL - badCount - duplicateCount) / EVENTS_PER_ROOM);
  const originalCount = rooms * EVENTS_PER_ROOM;
  if (rooms < 1) throw new Error("TOTAL is too small for one room");

  let profiles: { tutor: string; client: string; student: string };

  async function preparePlan() {
    profiles = { tutor: randomUUID(), client: randomUUID(), student: randomUUID() };
    await db.profile.createMany({
      data: [
        { id: profiles.tutor, fullName: "Bench Tutor", email: `${profiles.tutor}@bench.test` },
        { id: profiles.client, fullName: "Bench Parent", email: `${profiles.client}@bench.test` },
        { id: profiles.student, fullName: "Bench Child", email: `${profiles.student}@bench.test` },
      ],
    });
    const roomList: Room[] = [];
    for (let i = 0; i < rooms; i++) roomList.push(await makeRoom(i));

    const lanes: Delivery[][][] = [];
    const expected: RoomExpectation[] = [];
    const originals: { lane: number; step: number }[] = [];
    for (const room of roomList) {
      const { deliveries, expectation } = roomDeliveries(room, room.index);
      expected.push(expectation);
      lanes.push(deliveries.map((d) => [d]));
      deliveries.forEach((_, step) => originals.push({ lane: lanes.length - 1, step }));
    }

    // Duplicates: the same delivery (same x-webhook-id and bytes), half sent at the same moment as
    // the original, half right after it.
    for (const { lane, step } of pick(originals, duplicateCount)) {
      const original = lanes[lane]![step]![0]!;
      const copy = { ...original };
      if (Math.random() < 0.5) lanes[lane]![step]!.push(copy);
      else lanes[lane]!.splice(step + 1, 0, [copy]);
    }

    // Forgeries: plausible events for real rooms, signed wrongly three ways.
    const forged: Delivery[] = [];
    for (let i = 0; i < badCount; i++) {
      const room = roomList[i % roomList.length]!;
      const other = roomList[(i + 1) % roomList.length]!;
      const body = JSON.stringify({
        event: "session.end",
        room: { id: room.roomId },
        session: { id: `forged-${randomUUID()}`, start_time: iso(0), end_time: iso(3600) },
        recording: { available: true },
      });
      const good = signWebhook(body, room.secret);
      const signature = [
        signWebhook(body, `wrong-${randomUUID()}`),
        signWebhook(body, other.secret),
        good.slice(0, 40),
      ][i % 3]!;
      forged.push({ id: randomUUID(), event: "session.end", body, signature, expect: 401 });
    }
    for (const delivery of forged) {
      const lane = lanes[Math.floor(Math.random() * lanes.length)]!;
      lane.splice(Math.floor(Math.random() * (lane.length + 1)), 0, [delivery]);
    }
    return { lanes, expected, forged, roomList };
  }

  async function makeRoom(index: number): Promise<Room> {
    const booking = await db.booking.create({
      data: {
        clientId: profiles.client,
        tutorId: profiles.tutor,
        studentId: profiles.student,
        serviceName: `Bench lesson ${index}`,
        // A month ahead: no reminder or outcome is due for it, so the app server's in-process
        // workers stay idle (they e-mailed 500 "classroom open" reminders during the run when these
        // lessons started now) and the figure is the webhook route's own. The route does not look
        // at the booking's time.
        sessionStartTime: new Date(Date.now() + 30 * 24 * 60 * 60_000),
        sessionDuration: 60,
        status: "Confirmed",
      },
    });
    const room = { index, bookingId: booking.id, roomId: randomUUID(), secret: randomUUID() };
    await db.lessonspaceSpace.create({
      data: { roomId: room.roomId, bookingId: room.bookingId, launchId: `booking-${booking.id}`, secret: room.secret },
    });
    return room;
  }

  const BASE = Date.UTC(2026, 10, 25, 15, 0, 0);
  const iso = (offsetSeconds: number) => new Date(BASE + offsetSeconds * 1000).toISOString().replace(/\.000Z$/, "Z");

  /**
   * One lesson in two sessions, as Lessonspace reports it: the tutor and the child in the first,
   * the child alone in a short second one whose user.join arrives before its session.start.
   */
  function roomDeliveries(room: Room, index: number) {
    const s1 = randomUUID();
    const s2 = randomUUID();
    const k = Math.max(0, index); // vary the figures from room to room
    const t = {
      studentJoin: 60,
      studentLeave: 1200 + k,
      tutorLeave: 1500 + k,
      end1: 1530 + k,
      start2: 1600 + k,
      leave2: 1900 + 2 * k,
      end2: 1930 + 2 * k,
    };
    const r = room.roomId;
    const user = (action: string, session: string, id: string, at: number) => ({
      event: `user.${action}`,
      room: { id: r },
      session: { id: session },
      user: { id, name: "Bench", leader: id === profiles.tutor },
      timestamp: iso(at),
    });
    const events: unknown[] = [
      { event: "session.start", room: { id: r }, session: { id: s1, start_time: iso(0) }, timestamp: iso(0) },
      user("join", s1, profiles.tutor, 0),
      user("join", s1, profiles.student, t.studentJoin),
      user("leave", s1, profiles.student, t.studentLeave),
      user("leave", s1, profiles.tutor, t.tutorLeave),
      {
        event: "session.end",
        room: { id: r },
        session: { id: s1, start_time: iso(0), end_time: iso(t.end1) },
        recording: { available: true },
      },
      user("join", s2, profiles.student, t.start2),
      {
        event: "session.start",
        room: { id: r },
        session: { id: s2, start_time: iso(t.start2) },
        timestamp: iso(t.start2),
      },
      user("leave", s2, profiles.student, t.leave2),
      {
        event: "session.end",
        room: { id: r },
        session: { id: s2, start_time: iso(t.start2), end_time: iso(t.end2) },
        recording: { available: false },
      },
    ];
    const deliveries: Delivery[] = events.map((payload) => {
      const body = JSON.stringify(payload);
      return {
        id: randomUUID(),
        event: (payload as { event: string }).event,
        body,
        signature: signWebhook(body, room.secret),
        expect: 200,
      };
    });
    const d1 = t.end1;
    const d2 = t.end2 - t.start2;
    const expectation: RoomExpectation = {
      bookingId: room.bookingId,
      durationActual: d1 + d2,
      recordingUrl: `${stack.env.LESSONSPACE_API_URL}/v2/organisations/${stack.env.LESSONSPACE_ORGANISATION_ID}/sessions/${s1}/playback/`,
      sessions: new Map([
        [s1, d1],
        [s2, d2],
      ]),
      attendance: new Map([
        [`${s1}|${profiles.tutor}`, t.tutorLeave],
        [`${s1}|${profiles.student}`, t.studentLeave - t.studentJoin],
        [`${s2}|${profiles.student}`, t.leave2 - t.start2],
      ]),
    };
    return { deliveries, expectation };
  }

  async function checkDatabase(
    expected: RoomExpectation[],
    plan: Awaited<ReturnType<typeof preparePlan>>,
  ): Promise<string[]> {
    const problems: string[] = [];
    const bookingIds = expected.map((e) => e.bookingId);
    const roomIds = plan.roomList.map((r) => r.roomId);
    const goodIds = new Set(
      plan.lanes
        .flat(2)
        .filter((d) => d.expect === 200)
        .map((d) => d.id),
    );

    const events = await db.webhookEvent.findMany({
      where: { roomId: { in: roomIds } },
      select: { deliveryId: true, outcome: true },
    });
    if (events.length !== originalCount)
      problems.push(`webhook_events has ${events.length} rows for the rooms, expected ${originalCount}`);
    const notApplied = events.filter((e) => !e.outcome.startsWith("applied"));
    if (notApplied.length)
      problems.push(`${notApplied.length} deliveries were not applied (first: ${notApplied[0]!.outcome})`);
    const unknown = events.filter((e) => !goodIds.has(e.deliveryId));
    if (unknown.length)
      problems.push(`${unknown.length} recorded deliveries were never sent as good ones (forgeries got in?)`);
    const forgedIds = plan.forged.map((d) => d.id);
    if ((await db.webhookEvent.count({ where: { deliveryId: { in: forgedIds } } })) > 0)
      problems.push("a forged delivery was recorded");
    if ((await db.lessonspaceSession.count({ where: { sessionId: { startsWith: "forged-" } } })) > 0)
      problems.push("a forged session was stored");

    const sessions = await db.lessonspaceSession.findMany({ where: { bookingId: { in: bookingIds } } });
    const attendance = await db.lessonspaceAttendance.findMany({
      where: { session: { bookingId: { in: bookingIds } } },
    });
    const bookings = new Map(
      (
        await db.booking.findMany({
          where: { id: { in: bookingIds } },
          select: { id: true, durationActual: true, recordingUrl: true },
        })
      ).map((b) => [b.id, b]),
    );
    const sessionSeconds = new Map(sessions.map((s) => [s.sessionId, s.durationSeconds]));
    const presence = new Map(attendance.map((a) => [`${a.sessionId}|${a.profileId}`, a.secondsPresent]));
    if (sessions.length !== rooms * 2) problems.push(`${sessions.length} sessions stored, expected ${rooms * 2}`);
    if (attendance.length !== rooms * 3)
      problems.push(`${attendance.length} attendance rows stored, expected ${rooms * 3}`);
    for (const e of expected) {
      const booking = bookings.get(e.bookingId);
      if (booking?.durationActual !== e.durationActual)
        problems.push(
          `booking ${e.bookingId}: duration_actual ${booking?.durationActual}, expected ${e.durationActual}`,
        );
      if (booking?.recordingUrl !== e.recordingUrl)
        problems.push(`booking ${e.bookingId}: recording_url ${booking?.recordingUrl}, expected ${e.recordingUrl}`);
      for (const [id, seconds] of e.sessions) {
        if (sessionSeconds.get(id) !== seconds)
          problems.push(`session ${id}: ${sessionSeconds.get(id)} s, expected ${seconds}`);
      }
      for (const [key, seconds] of e.attendance) {
        if (presence.get(key) !== seconds)
          problems.push(`attendance ${key}: ${presence.get(key)} s, expected ${seconds}`);
      }
    }
    return problems.slice(0, 20);
  }

  // node:http with kept-alive connections rather than fetch: the deliveries come from this process,
  // which shares the two cores with the app server and PostgreSQL, and fetch (undici, WHATWG
  // streams) took half a core of them to send 300 deliveries a second. Lessonspace's own sender is
  // not ours to measure.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(webhookUrl);
  function send(delivery: Delivery): Promise<number> {
    return new Promise((resolve, reject) => {
      const headers = {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(delivery.body),
        "x-webhook-id": delivery.id,
        "x-webhook-event": delivery.event,
        "x-webhook-signature": delivery.signature,
      };
      const request = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(delivery.body);
    });
  }

  const plan = await preparePlan();
  const expected = plan.expected;

  // Warm-up on a room of its own, outside the figures and the checks.
  const warm = await makeRoom(-1);
  for (const d of roomDeliveries(warm, -1).deliveries) await send(d);

  const samples: { ms: number; status: number; expect: number }[] = [];
  const limiter = semaphore(CONCURRENCY);
  const cpuAtStart = cpuSeconds(context.server.pid);
  const started = performance.now();
  // Each room's events go in order, as Lessonspace delivers them; rooms run side by side.
  const queue = [...plan.lanes];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const step of lane) {
          await Promise.all(
            step.map((delivery) =>
              limiter(async () => {
                const t = performance.now();
                const status = await send(delivery);
                samples.push({ ms: performance.now() - t, status, expect: delivery.expect });
              }),
            ),
          );
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const serverCpuSeconds = cpuSeconds(context.server.pid) - cpuAtStart;
  agent.destroy();

  const latencies = samples.map((s) => s.ms).sort((a, b) => a - b);
  const wrongStatus = samples.filter((s) => s.status !== s.expect);
  const statuses = countBy(samples.map((s) => s.status));
  console.log(
    `${samples.length} deliveries (${originalCount} events in ${rooms} rooms, ${duplicateCount} duplicates, ${badCount} bad signatures) at concurrency ${CONCURRENCY}`,
  );
  console.log(
    `Throughput: ${(samples.length / seconds).toFixed(0)} deliveries/s (${seconds.toFixed(2)} s); app server CPU ${serverCpuSeconds.toFixed(2)} s = ` +
      `${(samples.length / serverCpuSeconds).toFixed(0)} deliveries per CPU second (${((serverCpuSeconds / seconds) * 100).toFixed(0)}% of a core)`,
  );
  console.log(
    `Latency: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
  );
  console.log(`Statuses: ${JSON.stringify(statuses)}`);

  const problems = [
    ...wrongStatus.slice(0, 5).map((s) => `a delivery expecting ${s.expect} got ${s.status}`),
    ...(await checkDatabase(expected, plan)),
  ];
  if (wrongStatus.length > 5) problems.push(`…and ${wrongStatus.length - 5} more unexpected statuses`);
  if (problems.length) {
    console.error(`\nDatabase check FAILED:\n  - ${problems.join("\n  - ")}`);
  } else {
    console.log(
      `Database check passed: ${originalCount} events applied exactly once, ${rooms * 2} sessions, ${rooms * 3} attendance rows and ${rooms} booking totals exactly as expected; nothing from the ${badCount} forged deliveries.`,
    );
  }
  return {
    deliveries: samples.length,
    events: originalCount,
    rooms,
    duplicates: duplicateCount,
    forged: badCount,
    concurrency: CONCURRENCY,
    seconds,
    perSecond: samples.length / seconds,
    serverCpuSeconds,
    perServerCpuSecond: samples.length / serverCpuSeconds,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    max: latencies.at(-1)!,
    statuses,
    problems,
    ok: problems.length === 0,
  };
}

if (isMain(import.meta.url)) {
  await runStandalone({ name: "webhooks", seed: false, echoServerStderr: false }, async (context) => {
    console.log(
      `\nbench/webhooks — production build ${path.relative(context.root, context.buildDir) || context.buildDir}, Node ${process.version}, ${os.cpus().length} CPUs`,
    );
    return webhookBench(context, {
      total: Number(process.env.TOTAL ?? 2000),
      concurrency: Number(process.env.CONCURRENCY ?? 20),
    });
  });
}
