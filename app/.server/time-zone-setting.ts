import { isTimeZone } from "~/domain/time-zone";
import { db } from "./db";

export type TimeZoneOutcome = { ok: true } | { ok: false; reason: string };

/** Saves the viewer's IANA time zone; every page formats times in it from the next request on. */
export async function saveTimeZone(viewerId: string, timeZone: string): Promise<TimeZoneOutcome> {
  // Checked here too, not only in the form's schema: a stored zone Intl cannot use would break every page.
  if (!isTimeZone(timeZone)) return { ok: false, reason: "Choose a time zone from the list." };
  await db.profile.update({ where: { id: viewerId }, data: { timeZone } });
  return { ok: true };
}
