// The learning record's homework chart and note headlines, on real PostgreSQL: only published notes
// count and show (never a draft, never the private note), for the family and the learner's tutor alike.
import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import { periodKey } from "~/domain/learning-record";
import * as recordRoute from "~/routes/students.$id.record";
import { addGuardian, callLoader, createBooking, createProfile, signIn } from "../support/app.ts";

type RecordData = {
  homework: { key: string; label: string; set: number; done: number }[];
  lessons: { id: string; noteHeadline: string | null }[];
};

const DAY = 24 * 3600_000;
let child: { id: string };
let parentCookie: string;
let tutorCookie: string;
let published: { id: string; sessionStartTime: Date };
let draft: { id: string };
let bare: { id: string };

beforeAll(async () => {
  const tutor = await createProfile({ fullName: "Tess Tutor", roles: ["tutor"] });
  const parent = await createProfile({ fullName: "Pat Parent", roles: ["client"] });
  child = await createProfile({ fullName: "Kit Child", roles: ["student"] });
  await addGuardian(parent.id, child.id);
  const parties = { clientId: parent.id, tutorId: tutor.id, studentId: child.id, status: "Completed" as const };
  published = await createBooking({ ...parties, sessionStartTime: new Date(Date.now() - 3 * DAY) });
  draft = await createBooking({ ...parties, sessionStartTime: new Date(Date.now() - 2 * DAY) });
  bare = await createBooking({ ...parties, sessionStartTime: new Date(Date.now() - DAY) });
  await db.lessonNote.create({
    data: {
      bookingId: published.id,
      tutorId: tutor.id,
      covered: "\nQuadratic equations by factorising\nand more besides",
      privateNote: "PRIVATE-for-the-tutor",
      publishedAt: new Date(Date.now() - 3 * DAY + 3600_000),
      homework: {
        create: [
          { position: 1, text: "Exercise 3", doneAt: new Date(Date.now() - 3600_000) },
          { position: 2, text: "Exercise 4" },
        ],
      },
    },
  });
  await db.lessonNote.create({
    data: {
      bookingId: draft.id,
      tutorId: tutor.id,
      covered: "DRAFT headline",
      homework: { create: [{ position: 1, text: "Draft homework", doneAt: new Date() }] },
    },
  });
  parentCookie = await signIn(parent);
  tutorCookie = await signIn(tutor);
});

const recordOf = async (cookie: string) => {
  const result = await callLoader(recordRoute, `/students/${child.id}/record`, { params: { id: child.id }, cookie });
  expect(result.status).toBe(200);
  return result.data as RecordData;
};

describe("the learning record's homework and notes", () => {
  it("counts the published note's homework set and done this month, and shows its first line beside the lesson", async () => {
    for (const cookie of [parentCookie, tutorCookie]) {
      const record = await recordOf(cookie);
      const key = periodKey(published.sessionStartTime, "month", "Europe/London");
      const thisMonth = record.homework.find((p) => p.key === key)!;
      // The draft's item (done just now) counts neither as set nor as done.
      expect([thisMonth.set, thisMonth.done]).toEqual([
        2,
        periodKey(new Date(), "month", "Europe/London") === key ? 1 : 0,
      ]);
      expect(record.homework.reduce((sum, p) => sum + p.set, 0)).toBe(2);
      expect(record.homework.reduce((sum, p) => sum + p.done, 0)).toBe(1);
      const headlines = new Map(record.lessons.map((l) => [l.id, l.noteHeadline]));
      expect(headlines.get(published.id)).toBe("Quadratic equations by factorising");
      expect(headlines.get(draft.id)).toBeNull();
      expect(headlines.get(bare.id)).toBeNull();
      expect(JSON.stringify(record)).not.toMatch(/PRIVATE|DRAFT|Draft homework/);
    }
  });

  it("draws the homework chart as an SVG with its text alternative and table", async () => {
    const record = await recordOf(parentCookie);
    const Page = recordRoute.default as unknown as (props: { loaderData: unknown }) => React.ReactElement;
    const html = renderToStaticMarkup(createElement(Page, { loaderData: record }));
    expect(html).toContain('<h2 id="chart-homework">Homework</h2>');
    expect(html).toContain('<title id="homework-title">Homework set and done, by month</title>');
    expect(html).toContain("2 homework items set and 1 done.");
    expect(html).toContain("<q>Quadratic equations by factorising</q>");
  });
});
