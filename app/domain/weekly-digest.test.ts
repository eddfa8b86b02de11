import { describe, expect, it } from "vitest";
import { cardBookingFixture, child, client, tutor } from "./lesson-fixtures";
import { instantAt, zoneOffsetMs } from "./wall-clock";
import {
  DEFAULT_DIGEST_SCHEDULE,
  digestContents,
  digestWeekOf,
  digestWeekOfKey,
  dueDigestWeek,
  isDigestStale,
  type DigestLesson,
} from "./weekly-digest";
import { noteHeadline } from "./note-headline";

const LONDON = "Europe/London";
const NEW_YORK = "America/New_York";
const at = (iso: string) => new Date(iso);

describe("wall clock", () => {
  it("names the instant of a local time in winter and in summer", () => {
    expect(instantAt("2026-12-06", "18:00", LONDON).toISOString()).toBe("2026-12-06T18:00:00.000Z");
    expect(instantAt("2026-07-05", "18:00", LONDON).toISOString()).toBe("2026-07-05T17:00:00.000Z");
    expect(instantAt("2026-12-06", "18:00", NEW_YORK).toISOString()).toBe("2026-12-06T23:00:00.000Z");
  });

  it("gives the first of a repeated hour, and moves a skipped time forward by the jump", () => {
    // 25 Oct 2026: 01:00–02:00 happens twice in London; 29 Mar 2026: 01:00–02:00 never happens.
    expect(instantAt("2026-10-25", "01:30", LONDON).toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(instantAt("2026-03-29", "01:30", LONDON).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(zoneOffsetMs(at("2026-03-29T01:30:00Z"), LONDON)).toBe(3600_000);
  });
});

describe("when the weekly digest is due (default: Sunday 18:00 local until Monday 12:00)", () => {
  const schedule = DEFAULT_DIGEST_SCHEDULE;

  it("is due from 18:00 on Sunday, not a minute before, for the week that Sunday ends", () => {
    expect(dueDigestWeek(at("2026-12-06T17:59:59.999Z"), LONDON, schedule)).toBeNull();
    const week = dueDigestWeek(at("2026-12-06T18:00:00Z"), LONDON, schedule);
    expect(week?.monday).toBe("2026-11-30");
    expect(week?.key.toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(week?.from.toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(week?.to.toISOString()).toBe("2026-12-07T00:00:00.000Z");
    expect(week?.nextTo.toISOString()).toBe("2026-12-14T00:00:00.000Z");
  });

  it("is caught up overnight and on Monday morning, and stale from Monday 12:00", () => {
    expect(dueDigestWeek(at("2026-12-06T23:59:00Z"), LONDON, schedule)?.monday).toBe("2026-11-30");
    expect(dueDigestWeek(at("2026-12-07T08:00:00Z"), LONDON, schedule)?.monday).toBe("2026-11-30");
    expect(dueDigestWeek(at("2026-12-07T11:59:59.999Z"), LONDON, schedule)?.monday).toBe("2026-11-30");
    expect(dueDigestWeek(at("2026-12-07T12:00:00Z"), LONDON, schedule)).toBeNull();
    expect(dueDigestWeek(at("2026-12-09T18:00:00Z"), LONDON, schedule)).toBeNull();
    const week = digestWeekOf("2026-11-30", LONDON, schedule);
    expect(isDigestStale(week, at("2026-12-07T11:59:59Z"))).toBe(false);
    expect(isDigestStale(week, at("2026-12-07T12:00:00Z"))).toBe(true);
  });

  it("is due at each recipient's own 18:00: New York five hours after London", () => {
    const londonSix = at("2026-12-06T18:00:00Z");
    expect(dueDigestWeek(londonSix, NEW_YORK, schedule)).toBeNull();
    expect(dueDigestWeek(at("2026-12-06T23:00:00Z"), NEW_YORK, schedule)?.monday).toBe("2026-11-30");
    // Monday 12:00 in New York is 17:00 UTC: London's week is stale by then, New York's not yet.
    expect(dueDigestWeek(at("2026-12-07T16:59:00Z"), NEW_YORK, schedule)?.monday).toBe("2026-11-30");
    expect(dueDigestWeek(at("2026-12-07T16:59:00Z"), LONDON, schedule)).toBeNull();
  });

  it("keeps to the wall clock across the clocks going back (25 Oct 2026) and forward (29 Mar 2026) in London", () => {
    // The week of 19 Oct ends on Sunday 25 Oct, when BST ends at 02:00: 18:00 is GMT that evening.
    expect(dueDigestWeek(at("2026-10-25T17:59:00Z"), LONDON, schedule)).toBeNull();
    expect(dueDigestWeek(at("2026-10-25T18:00:00Z"), LONDON, schedule)?.monday).toBe("2026-10-19");
    const autumn = digestWeekOf("2026-10-19", LONDON, schedule);
    // The week started in BST (Monday 00:00 BST = Sunday 23:00 UTC) and is 169 hours long.
    expect(autumn.from.toISOString()).toBe("2026-10-18T23:00:00.000Z");
    expect(autumn.to.toISOString()).toBe("2026-10-26T00:00:00.000Z");
    expect(autumn.staleAt.toISOString()).toBe("2026-10-26T12:00:00.000Z");
    // 29 Mar: 18:00 BST is 17:00 UTC; Monday noon is 11:00 UTC.
    expect(dueDigestWeek(at("2026-03-29T16:59:00Z"), LONDON, schedule)).toBeNull();
    expect(dueDigestWeek(at("2026-03-29T17:00:00Z"), LONDON, schedule)?.monday).toBe("2026-03-23");
    expect(dueDigestWeek(at("2026-03-30T10:59:00Z"), LONDON, schedule)?.monday).toBe("2026-03-23");
    expect(dueDigestWeek(at("2026-03-30T11:00:00Z"), LONDON, schedule)).toBeNull();
  });

  it("on another configured day reports on the last week that ended by then (Monday 08:00: the week before)", () => {
    const monday = { day: "monday", time: "08:00" } as const;
    expect(dueDigestWeek(at("2026-12-07T07:59:00Z"), LONDON, monday)).toBeNull();
    expect(dueDigestWeek(at("2026-12-07T08:00:00Z"), LONDON, monday)?.monday).toBe("2026-11-30");
    expect(dueDigestWeek(at("2026-12-08T11:59:00Z"), LONDON, monday)?.monday).toBe("2026-11-30");
    expect(dueDigestWeek(at("2026-12-08T12:00:00Z"), LONDON, monday)).toBeNull();
  });

  it("finds the week of a queued row from its key in any zone", () => {
    const week = digestWeekOfKey(at("2026-11-30T00:00:00Z"), NEW_YORK, schedule);
    expect(week.monday).toBe("2026-11-30");
    expect(week.sendAt.toISOString()).toBe("2026-12-06T23:00:00.000Z");
  });
});

describe("what the digest says", () => {
  const week = digestWeekOf("2026-11-30", LONDON, DEFAULT_DIGEST_SCHEDULE);
  const now = week.sendAt;
  const lesson = (start: string, overrides: Partial<DigestLesson> = {}): DigestLesson => ({
    ...cardBookingFixture(at(start)),
    bookingId: `b-${start}`,
    publishedNote: null,
    openHomework: [],
    ...overrides,
  });
  const held = {
    outcome: "held" as const,
    outcomeTutorSeconds: 3600,
    outcomeAttendeeSeconds: 3120,
    status: "Completed" as const,
  };

  it("is nothing at all when the family had no lesson, has none next week and no open homework", () => {
    expect(digestContents([], week, now, LONDON)).toBeNull();
    // A cancelled lesson last week and one beyond next week are nothing to say either.
    expect(
      digestContents(
        [
          lesson("2026-12-02T16:00:00Z", { status: "Cancelled" }),
          lesson("2026-12-15T16:00:00Z"),
          lesson("2026-11-29T16:00:00Z"),
        ],
        week,
        now,
        LONDON,
      ),
    ).toBeNull();
  });

  it("lists the week's lessons in the booking page's words, the notes' first lines, open homework by due date and next week's lessons", () => {
    const contents = digestContents(
      [
        lesson("2026-12-03T16:00:00Z", {
          ...held,
          publishedNote: "\n  Fractions: adding unlike denominators  \nThen decimals.",
          openHomework: [
            { text: "Worksheet 4", dueOn: "2026-12-10" },
            { text: "Read chapter 2", dueOn: null },
          ],
        }),
        lesson("2026-12-01T16:00:00Z", {
          outcome: "student_absent",
          outcomeTutorSeconds: 3600,
          outcomeAttendeeSeconds: 0,
        }),
        lesson("2026-11-12T16:00:00Z", { ...held, openHomework: [{ text: "Times tables", dueOn: "2026-12-05" }] }),
        lesson("2026-12-09T16:00:00Z"),
      ],
      week,
      now,
      LONDON,
    )!;
    expect(contents.weekLabel).toBe("Mon 30 Nov – Sun 6 Dec");
    expect(contents.summary).toBe("2 lessons this week: 1 held, 1 missed; 52 of 120 planned minutes attended.");
    expect(contents.past).toEqual([
      {
        bookingId: "b-2026-12-01T16:00:00Z",
        title: `${child.fullName}: GCSE Maths`,
        when: "Tue 1 Dec, 16:00",
        badge: "Student absent",
        explanation: expect.stringContaining(`${child.fullName} did not join`),
      },
      {
        bookingId: "b-2026-12-03T16:00:00Z",
        title: `${child.fullName}: GCSE Maths`,
        when: "Thu 3 Dec, 16:00",
        badge: "Held",
        explanation: `${child.fullName} attended 52 of 60 minutes.`,
      },
    ]);
    expect(contents.notes).toEqual([
      {
        bookingId: "b-2026-12-03T16:00:00Z",
        title: `${child.fullName}: GCSE Maths`,
        headline: "Fractions: adding unlike denominators",
      },
    ]);
    expect(contents.homework.map((h) => [h.text, h.due])).toEqual([
      ["Times tables", "due Sat 5 Dec"],
      ["Worksheet 4", "due Thu 10 Dec"],
      ["Read chapter 2", "no due date"],
    ]);
    expect(contents.next).toEqual([
      { bookingId: "b-2026-12-09T16:00:00Z", title: `${child.fullName}: GCSE Maths`, when: "Wed 9 Dec, 16:00" },
    ]);
  });

  it("names each lesson's learner: a guardian's two children, and an adult learner's own lessons", () => {
    const sam = { id: "sam", fullName: "Sam Brown" };
    const contents = digestContents(
      [
        lesson("2026-12-09T16:00:00Z"),
        lesson("2026-12-10T16:00:00Z", { student: sam }),
        lesson("2026-12-11T16:00:00Z", { student: null }),
      ],
      week,
      now,
      LONDON,
    )!;
    expect(contents.next.map((l) => l.title)).toEqual([
      "Charlie Brown: GCSE Maths",
      "Sam Brown: GCSE Maths",
      `${client.fullName}: GCSE Maths`,
    ]);
    expect(contents.summary).toBe("No lessons this week.");
    expect(tutor.fullName).toBeTruthy();
  });

  it("says nothing of a note that is not published (null), and keeps a headline to one line", () => {
    const contents = digestContents([lesson("2026-12-03T16:00:00Z", held)], week, now, LONDON)!;
    expect(contents.notes).toEqual([]);
    expect(noteHeadline("   \n\t\n")).toBeNull();
    expect(noteHeadline("a\u2028b\rc")).toBe("a b");
    expect(noteHeadline("x".repeat(300))).toHaveLength(200);
  });
});
