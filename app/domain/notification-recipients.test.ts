import { describe, expect, it } from "vitest";
import type { BookingNotificationKind, NotificationKind } from "./notification-kinds";
import {
  kindsOfferedTo,
  recipientsFor,
  type BookingParties,
  type GuardianEdge,
  type NotifiablePerson,
} from "./notification-recipients";

function person(name: string, overrides: Partial<NotifiablePerson> = {}): NotifiablePerson {
  return {
    profileId: name.toLowerCase(),
    fullName: name,
    email: `${name.toLowerCase()}@example.com`,
    timeZone: "Europe/London",
    emailUndeliverable: false,
    disabledKinds: [],
    ...overrides,
  };
}

function guardian(
  name: string,
  status: GuardianEdge["status"] = "ACTIVE",
  overrides: Partial<NotifiablePerson> = {},
): GuardianEdge {
  return { ...person(name, overrides), status };
}

const tutor = person("Tara");
const parent = person("Paula");
const child = person("Charlie");

function family(overrides: Partial<BookingParties> = {}): BookingParties {
  return { tutor, client: parent, student: child, studentGuardians: [guardian("Paula")], ...overrides };
}

const who = (parties: BookingParties, kind: BookingNotificationKind) =>
  recipientsFor(parties, kind).map((r) => `${r.fullName}:${r.role}`);

describe("reminders", () => {
  for (const kind of ["reminder_day_before", "reminder_classroom_open"] as const) {
    it(`${kind} goes to the tutor, the client and the child with an address, the parent once though also guardian`, () => {
      expect(who(family(), kind)).toEqual(["Tara:tutor", "Paula:client", "Charlie:student"]);
    });
  }

  it("reaches a second active guardian who is not the client", () => {
    const parties = family({ studentGuardians: [guardian("Paula"), guardian("Gina")] });
    expect(who(parties, "reminder_classroom_open")).toEqual([
      "Tara:tutor",
      "Paula:client",
      "Gina:guardian",
      "Charlie:student",
    ]);
  });

  it("leaves out a guardian whose link is still pending", () => {
    const parties = family({ studentGuardians: [guardian("Paula"), guardian("Gina", "PENDING")] });
    expect(who(parties, "reminder_classroom_open")).not.toContain("Gina:guardian");
  });

  it("reaches a child without an address through their guardians only", () => {
    const parties = family({
      student: person("Sam", { email: null }),
      studentGuardians: [guardian("Paula"), guardian("Gina")],
    });
    expect(who(parties, "reminder_day_before")).toEqual(["Tara:tutor", "Paula:client", "Gina:guardian"]);
  });

  it("without an assigned student goes to the tutor and the client (an adult learner)", () => {
    expect(who(family({ student: null, studentGuardians: [] }), "reminder_day_before")).toEqual([
      "Tara:tutor",
      "Paula:client",
    ]);
  });

  it("carries each recipient's own address and time zone", () => {
    const parties = family({ client: person("Paula", { timeZone: "America/New_York" }) });
    expect(recipientsFor(parties, "reminder_day_before")[1]).toEqual({
      profileId: "paula",
      fullName: "Paula",
      email: "paula@example.com",
      timeZone: "America/New_York",
      role: "client",
    });
  });
});

describe("lesson record", () => {
  it("goes to the client and the active guardians, not to the tutor nor to a child who has guardians", () => {
    const parties = family({ studentGuardians: [guardian("Paula"), guardian("Gina"), guardian("Pete", "PENDING")] });
    expect(who(parties, "lesson_record")).toEqual(["Paula:client", "Gina:guardian"]);
  });

  it("goes to an adult learner booked by someone else (a student without guardians)", () => {
    const parties = family({ client: person("Acme Ltd"), student: person("Adam"), studentGuardians: [] });
    expect(who(parties, "lesson_record")).toEqual(["Acme Ltd:client", "Adam:student"]);
  });

  it("goes to the client when the client is the learner", () => {
    expect(who(family({ student: null, studentGuardians: [] }), "lesson_record")).toEqual(["Paula:client"]);
  });
});

describe("review prompt", () => {
  it("goes to the tutor only", () => {
    expect(who(family({ studentGuardians: [guardian("Paula"), guardian("Gina")] }), "review_prompt")).toEqual([
      "Tara:tutor",
    ]);
  });
});

describe("choices and addresses", () => {
  it("leaves out someone who switched this kind off, but not the others", () => {
    const parties = family({ client: person("Paula", { disabledKinds: ["reminder_day_before"] }) });
    expect(who(parties, "reminder_day_before")).toEqual(["Tara:tutor", "Charlie:student"]);
    expect(who(parties, "reminder_classroom_open")).toEqual(["Tara:tutor", "Paula:client", "Charlie:student"]);
  });

  it("a client who switched the kind off is not reached again as the child's guardian", () => {
    const off = { disabledKinds: ["lesson_record"] as NotificationKind[] };
    const parties = family({ client: person("Paula", off), studentGuardians: [guardian("Paula", "ACTIVE", off)] });
    expect(who(parties, "lesson_record")).toEqual([]);
  });

  it("leaves out an address the mail server refused for good", () => {
    const parties = family({ student: person("Charlie", { emailUndeliverable: true }) });
    expect(who(parties, "reminder_classroom_open")).toEqual(["Tara:tutor", "Paula:client"]);
  });

  it("names a person once when they hold two roles (a tutor booking for their own child)", () => {
    const parties = family({ client: tutor, studentGuardians: [guardian("Tara")] });
    expect(who(parties, "reminder_day_before")).toEqual(["Tara:tutor", "Charlie:student"]);
  });
});

describe("late start", () => {
  it("tutor late goes to the tutor only", () => {
    expect(who(family(), "tutor_late")).toEqual(["Tara:tutor"]);
  });

  it("tutor reminded goes to the family: the client, a second active guardian, and the child with an address", () => {
    const parties = family({ studentGuardians: [guardian("Paula"), guardian("Gina"), guardian("Pete", "PENDING")] });
    expect(who(parties, "tutor_reminded")).toEqual(["Paula:client", "Gina:guardian", "Charlie:student"]);
    expect(who(family({ student: person("Sam", { email: null }) }), "tutor_reminded")).toEqual(["Paula:client"]);
  });

  it("learner late goes to a learner with an address of their own, alone", () => {
    const parties = family({ studentGuardians: [guardian("Paula"), guardian("Gina")] });
    expect(who(parties, "learner_late")).toEqual(["Charlie:student"]);
  });

  it("learner late goes to the client and active guardians of a child without an address (or with a refused one)", () => {
    const guardians = [guardian("Paula"), guardian("Gina"), guardian("Pete", "PENDING")];
    expect(
      who(family({ student: person("Sam", { email: null }), studentGuardians: guardians }), "learner_late"),
    ).toEqual(["Paula:client", "Gina:guardian"]);
    expect(
      who(
        family({ student: person("Sam", { emailUndeliverable: true }), studentGuardians: guardians }),
        "learner_late",
      ),
    ).toEqual(["Paula:client", "Gina:guardian"]);
  });

  it("learner late goes to the client who is the learner", () => {
    expect(who(family({ student: null, studentGuardians: [] }), "learner_late")).toEqual(["Paula:client"]);
  });

  it("a learner who switched learner late off is not replaced by the family", () => {
    const parties = family({ student: person("Charlie", { disabledKinds: ["learner_late"] }) });
    expect(who(parties, "learner_late")).toEqual([]);
  });
});

describe("kinds offered on the settings page", () => {
  const family = [
    "reminder_day_before",
    "reminder_classroom_open",
    "lesson_record",
    "weekly_digest",
    "tutor_reminded",
    "learner_late",
  ];

  it("a parent or student chooses about reminders, the lesson record, the weekly digest and the late-start notices", () => {
    expect(kindsOfferedTo(["client"])).toEqual(family);
    expect(kindsOfferedTo(["student"])).toEqual(family);
    expect(kindsOfferedTo([])).toEqual(family);
  });

  it("a tutor chooses about reminders, the review prompt and tutor late; a tutor who is also a parent about all", () => {
    expect(kindsOfferedTo(["tutor"])).toEqual([
      "reminder_day_before",
      "reminder_classroom_open",
      "review_prompt",
      "tutor_late",
    ]);
    expect(kindsOfferedTo(["tutor", "client"])).toEqual([
      "reminder_day_before",
      "reminder_classroom_open",
      "lesson_record",
      "weekly_digest",
      "review_prompt",
      "tutor_late",
      "tutor_reminded",
      "learner_late",
    ]);
  });
});
