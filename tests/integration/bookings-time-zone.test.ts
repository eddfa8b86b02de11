// /settings/time-zone: the viewer's IANA zone, validated on the server, and every time follows it.
import { describe, expect, it } from "vitest";
import { db } from "~/.server/db";
import type { BookingCardView } from "~/domain/booking-card";
import * as dashboard from "~/routes/dashboard";
import * as settings from "~/routes/settings.time-zone";
import { callAction, callLoader, createBooking, createProfile, signIn } from "../support/app.ts";

async function zoneOf(id: string) {
  return (await db.profile.findUniqueOrThrow({ where: { id } })).timeZone;
}

describe("changing the time zone", () => {
  it("a valid zone is saved and the viewer goes back where they were", async () => {
    const person = await createProfile();
    const cookie = await signIn(person);
    const result = await callAction(settings, "/settings/time-zone", {
      cookie,
      form: { timeZone: "America/New_York", returnTo: "/bookings/abc" },
    });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe("/bookings/abc");
    expect(await zoneOf(person.id)).toBe("America/New_York");
  });

  it("the dashboard's times follow the new zone", async () => {
    const person = await createProfile();
    const tutor = await createProfile();
    await createBooking({ clientId: person.id, tutorId: tutor.id, sessionStartTime: new Date("2031-06-10T15:00:00Z") });
    const cookie = await signIn(person);
    const card = async () =>
      ((await callLoader(dashboard, "/", { cookie })).data as { upcoming: BookingCardView[] }).upcoming[0];
    expect(await card()).toMatchObject({ state: "upcoming", explanation: "Scheduled for Tue 10 Jun 2031, 16:00." });
    await callAction(settings, "/settings/time-zone", { cookie, form: { timeZone: "America/New_York" } });
    expect(await card()).toMatchObject({ state: "upcoming", explanation: "Scheduled for Tue 10 Jun 2031, 11:00." });
  });

  it.each(["Mars/Olympus_Mons", "europe/london", "", "Europe/London; DROP TABLE profiles"])(
    "%j is refused on the form and nothing changes",
    async (zone) => {
      const person = await createProfile({ timeZone: "Europe/London" });
      const cookie = await signIn(person);
      const result = await callAction(settings, "/settings/time-zone", { cookie, form: { timeZone: zone } });
      expect(result.status).toBe(400);
      expect(JSON.stringify(result.data)).toMatch(/Choose a time zone/);
      expect(await zoneOf(person.id)).toBe("Europe/London");
    },
  );

  it("an outside return path is ignored", async () => {
    const person = await createProfile();
    const cookie = await signIn(person);
    const result = await callAction(settings, "/settings/time-zone", {
      cookie,
      form: { timeZone: "Asia/Tokyo", returnTo: "https://evil.example/" },
    });
    expect(result.headers.get("Location")).toBe("/");
  });

  it("signed out, saving sends you to sign in", async () => {
    const result = await callAction(settings, "/settings/time-zone", { form: { timeZone: "Asia/Tokyo" } });
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toMatch(/^\/sign-in/);
  });
});

describe("a stored zone Intl cannot use", () => {
  it("shows the dashboard in UTC instead of failing", async () => {
    const person = await createProfile();
    await db.profile.update({ where: { id: person.id }, data: { timeZone: "Mars/Olympus_Mons" } });
    const result = await callLoader(dashboard, "/", { cookie: await signIn(person) });
    expect(result.status).toBe(200);
    expect((result.data as { timeZone: string }).timeZone).toBe("UTC");
  });
});

describe("the settings page", () => {
  it("names the current zone, offers every IANA zone and keeps a safe return path", async () => {
    const person = await createProfile({ timeZone: "Asia/Tokyo" });
    const cookie = await signIn(person);
    const result = await callLoader(settings, "/settings/time-zone?returnTo=%2Fbookings%2Fx", { cookie });
    const data = result.data as { current: string; choices: string[]; returnTo: string };
    expect(data.current).toBe("Asia/Tokyo (GMT+9)");
    expect(data.choices).toContain("America/New_York");
    expect(data.choices).toContain("UTC");
    expect(data.returnTo).toBe("/bookings/x");
  });
});
