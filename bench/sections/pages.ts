// 1. Page weight: every page's HTML, CSS and JavaScript (raw and gzipped) as the production server
// sends them, checked against bench/budget.json, and that each page works with zero bytes of JavaScript.
import fs from "node:fs";
import path from "node:path";
import { demoBookingIds, demoProfiles } from "../../prisma/seed.ts";
import { root } from "../lib/build.ts";
import {
  get,
  measurePages,
  overBudget,
  withoutJavaScript,
  type BudgetFile,
  type PageSpec,
  type PageWeight,
} from "../lib/page-weight.ts";
import { signIn, type BenchContext } from "../lib/stack.ts";
import { kib, table } from "../lib/stats.ts";
import { DASHBOARD_BOOKINGS, heading, HISTORY_PAGE, say, type BenchRun, type Cookies } from "./context.ts";

const NOTE_HOMEWORK_ITEMS = 10;
const NOTE_PAGE = `booking details (published note, ${NOTE_HOMEWORK_ITEMS} homework items)`;

/**
 * A held lesson of the second demo family (so the measured dashboards keep only the seed's homework)
 * with a published note of full-length text and `items` homework items.
 */
async function bookingWithPublishedNote(ctx: BenchContext, items: number): Promise<string> {
  const { otherTutor: tutor, otherParent: parent, otherChild: child } = demoProfiles;
  const start = new Date(Date.now() - 2 * 24 * 60 * 60_000);
  const booking = await ctx.db.booking.create({
    data: {
      clientId: parent.id,
      tutorId: tutor.id,
      studentId: child.id,
      serviceName: "GCSE Maths",
      sessionStartTime: start,
      sessionDuration: 60,
      status: "Completed",
    },
  });
  const sentence = "We practised solving simultaneous equations by elimination and checked each answer. ";
  await ctx.db.lessonNote.create({
    data: {
      bookingId: booking.id,
      tutorId: tutor.id,
      covered: sentence.repeat(12).trim(),
      privateNote: "Never on the family's page.",
      publishedAt: new Date(start.getTime() + 70 * 60_000),
      editedAt: new Date(start.getTime() + 90 * 60_000),
    },
  });
  await ctx.db.homeworkItem.createMany({
    data: Array.from({ length: items }, (_, position) => ({
      bookingId: booking.id,
      position,
      text: `Exercise ${position + 1}: questions 1 to 10 on page ${40 + position}, showing every step of the working`,
      dueOn: new Date(start.getTime() + 7 * 24 * 60 * 60_000),
      doneAt: position % 3 === 0 ? new Date(start.getTime() + 24 * 60 * 60_000) : null,
      doneById: position % 3 === 0 ? child.id : null,
    })),
  });
  return booking.id;
}

export async function pageWeight(run: BenchRun, ctx: BenchContext, cookies: Cookies): Promise<PageWeight[]> {
  heading(
    "1. Page weight (bytes as the production server sends them; JS = files the page makes a browser with JavaScript fetch)",
  );
  const form = (action: string, extra = "") =>
    new RegExp(
      `<form[^>]*\\saction="${action.replace(/[/?.]/g, "\\$&")}(\\?[^"]*)?"[^>]*${extra}[^>]*\\smethod="post"`,
    );
  const launchForm = /<form[^>]*\saction="\/api\/bookings\/[^"]+\/launch"[^>]*\smethod="post"/;
  const signOut = form("/sign-out");
  const { adultReady, inProgress, completed, completedWithRecording, upcoming } = demoBookingIds;
  const noted = await bookingWithPublishedNote(ctx, NOTE_HOMEWORK_ITEMS);
  const otherParent = await signIn(ctx.appUrl, demoProfiles.otherParent.email!);
  const pages: (PageSpec & { atLeast?: [RegExp, number] })[] = [
    {
      name: "sign-in",
      path: "/sign-in",
      mustContain: [form("/sign-in"), 'name="email"', 'name="password"', 'type="submit"'],
    },
    {
      name: "dashboard (tutor)",
      path: "/",
      cookie: cookies.tutor,
      mustContain: [
        "<h1>Your lessons</h1>",
        signOut,
        launchForm,
        "Recent Sessions",
        /encType="multipart\/form-data"/,
        /href="\/bookings\/[^"]+\/review\?returnTo=/,
      ],
    },
    {
      name: "dashboard (parent)",
      path: "/",
      cookie: cookies.parent,
      mustContain: ["<h1>Your lessons</h1>", signOut, launchForm, "Choose who attends"],
    },
    {
      name: "dashboard (student)",
      path: "/",
      cookie: cookies.child,
      mustContain: ["<h1>Your lessons</h1>", signOut, launchForm],
    },
    {
      name: `dashboard (adult, ${DASHBOARD_BOOKINGS} bookings)`,
      path: "/",
      cookie: cookies.adult,
      // Bounded: every ready lesson, the next and last ten, and links to the rest.
      mustContain: [
        "<h1>Your lessons</h1>",
        signOut,
        launchForm,
        'http-equiv="refresh"',
        'href="/lessons?when=upcoming"',
        'href="/lessons?when=past"',
      ],
      atLeast: [/<article /g, 20],
    },
    {
      name: HISTORY_PAGE,
      path: "/",
      cookie: cookies.history,
      mustContain: ["<h1>Your lessons</h1>", signOut, 'href="/lessons?when=upcoming"', 'href="/lessons?when=past"'],
      atLeast: [/<article /g, 20],
    },
    {
      name: "all lessons (tutor)",
      path: "/lessons",
      cookie: cookies.tutor,
      mustContain: [
        "<h1>All your lessons</h1>",
        /<form[^>]*\saction="\/lessons"/,
        'name="status"',
        'name="from"',
        signOut,
        /<article /,
      ],
    },
    {
      name: "booking details",
      path: `/bookings/${adultReady}`,
      cookie: cookies.adult,
      mustContain: ["<h1>Spanish Conversation</h1>", launchForm, signOut],
    },
    {
      name: NOTE_PAGE,
      // The family's view: the note, and a small Mark done form per homework item.
      path: `/bookings/${noted}`,
      cookie: otherParent,
      mustContain: ["What we covered", "Homework and next steps", form(`/bookings/${noted}/homework/[0-9a-f-]+`)],
      atLeast: [/action="\/bookings\/[^"]+\/homework\/[^"]+"/g, NOTE_HOMEWORK_ITEMS],
    },
    {
      name: "classroom",
      path: `/bookings/${inProgress}/classroom`,
      cookie: cookies.tutor,
      mustContain: [
        /<iframe[^>]*class="classroom-frame"[^>]*src="http/,
        "Open the classroom on its own",
        "Back to your lessons",
      ],
    },
    {
      name: "snapshot upload",
      path: `/bookings/${completed}/snapshot/upload`,
      cookie: cookies.tutor,
      mustContain: [
        form(`/bookings/${completed}/snapshot/upload`, 'encType="multipart/form-data"'),
        'type="file"',
        signOut,
      ],
    },
    {
      name: "review",
      // The held lesson: only a lesson that took place can be reviewed.
      path: `/bookings/${completedWithRecording}/review`,
      cookie: cookies.tutor,
      mustContain: [form(`/bookings/${completedWithRecording}/review`), 'name="rating"', 'name="comment"'],
    },
    {
      name: "choose who attends",
      // The upcoming lesson: once the classroom opens, who attends is history.
      path: `/bookings/${upcoming}/student`,
      cookie: cookies.parent,
      mustContain: [form(`/bookings/${upcoming}/student`), 'name="studentId"'],
    },
    {
      name: "time-zone settings",
      path: "/settings/time-zone",
      cookie: cookies.tutor,
      mustContain: [form("/settings/time-zone"), 'name="timeZone"', "Europe/London"],
    },
    { name: "404", path: "/no-such-page", expectStatus: 404, mustContain: ["Page not found", 'href="/"'] },
  ];
  const weights = await measurePages(ctx.appUrl, pages);
  // Pages that must show a given number of items (the 50 booking cards) are counted once more.
  for (const [i, page] of pages.entries()) {
    if (!page.atLeast) continue;
    const html = withoutJavaScript(
      (await get(`${ctx.appUrl}${page.path}`, page.cookie ? { cookie: page.cookie } : {})).body.toString("utf8"),
    );
    const found = html.match(page.atLeast[0])?.length ?? 0;
    if (found < page.atLeast[1])
      weights[i]!.missingWithoutJs.push(`${page.atLeast[1]} × ${page.atLeast[0]} (found ${found})`);
  }

  say(
    table([
      [
        "page",
        "status",
        "HTML raw",
        "HTML gzip",
        "inline JS",
        "CSS raw",
        "CSS gzip",
        "JS files",
        "JS raw",
        "JS gzip",
        "works without JS",
      ],
      ...weights.map((w) => [
        w.name,
        String(w.status),
        kib(w.htmlRaw),
        kib(w.htmlGzip),
        kib(w.inlineScriptRaw),
        kib(w.cssRaw),
        kib(w.cssGzip),
        String(w.jsFiles),
        kib(w.jsRaw),
        kib(w.jsGzip),
        w.missingWithoutJs.length ? `NO: missing ${w.missingWithoutJs.join(", ")}` : "yes",
      ]),
    ]),
  );
  say(
    "  inline JS = bytes of inline <script> in the HTML (route manifest, hydration data), of no use without JavaScript.",
  );
  say(
    "  Works without JS: the page's content and its forms (method=post, plain actions) are in the HTML with every script removed.",
  );

  for (const w of weights) {
    if (!w.statusOk) run.failures.push(`page ${w.name}: status ${w.status}`);
    if (w.missingWithoutJs.length)
      run.failures.push(`page ${w.name} does not work without JavaScript: missing ${w.missingWithoutJs.join(", ")}`);
  }
  const budget = JSON.parse(fs.readFileSync(path.join(root, "bench/budget.json"), "utf8")) as BudgetFile;
  const over = overBudget(weights, budget);
  run.results.budgetOverruns = over;
  if (over.length) {
    say(`\n  OVER BUDGET (bench/budget.json):\n    - ${over.join("\n    - ")}`);
    run.failures.push(...over.map((o) => `over budget: ${o}`));
  } else {
    say(`\n  Every page within its budget in bench/budget.json (HTML raw and gzip, CSS gzip, JS gzip).`);
  }
  return weights;
}
