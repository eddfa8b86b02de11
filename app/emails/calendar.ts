/**
 * The calendar entry attached to lesson reminders (the `ics` library, RFC 5545). Its UID is the
 * booking's, and its SEQUENCE is the booking's calendar_sequence, which a database trigger raises at
 * every change of start, length or status (migration 077), so when the booking system moves a
 * lesson, calendars update the entry they already have instead of adding a second one.
 * Pure: the DTSTAMP is `now`.
 */
import { createEvent, type EventAttributes } from "ics";
import type { NotificationEmailInput } from "~/domain/notification-kinds";
import { JOIN_WINDOW_NOTE, oneLine } from "./content";

/** The same for every message about one booking, on every server. */
export function calendarUid(bookingId: string): string {
  return `booking-${bookingId}@tutorwise.classroom`;
}

// A display name inside a quoted iCalendar parameter (CN="…") cannot hold a double quote.
const calendarName = (name: string) => oneLine(name).replace(/"/g, "'");

export type CalendarPeople = {
  organizer: { name: string; address: string };
  bookingUrl: string;
};

/** A METHOD:REQUEST calendar with one event for the lesson, times in UTC. */
export function lessonCalendar(input: NotificationEmailInput, people: CalendarPeople, now: Date): string {
  const { booking, recipient } = input;
  const other = recipient.role === "tutor" ? booking.attendeeName : booking.tutorName;
  const start = booking.sessionStartTime.getTime();
  const event: EventAttributes & { timestamp: number } = {
    productId: "tutorwise-classroom",
    method: "REQUEST",
    uid: calendarUid(booking.id),
    sequence: booking.calendarSequence,
    timestamp: now.getTime(),
    start,
    startInputType: "utc",
    startOutputType: "utc",
    end: start + booking.sessionDuration * 60_000,
    endInputType: "utc",
    endOutputType: "utc",
    title: oneLine(`${booking.serviceName} with ${other}`),
    description: `Join Lesson: ${people.bookingUrl}\n${JOIN_WINDOW_NOTE}`,
    url: people.bookingUrl,
    location: people.bookingUrl,
    status: "CONFIRMED",
    busyStatus: "BUSY",
    organizer: { name: calendarName(people.organizer.name || "Tutorwise Classroom"), email: people.organizer.address },
    // RSVP off: the lesson is booked; the calendar only needs to show it.
    attendees: [
      {
        name: calendarName(recipient.fullName),
        email: recipient.email,
        rsvp: false,
        partstat: "ACCEPTED",
        role: "REQ-PARTICIPANT",
      },
    ],
  };
  const { error, value } = createEvent(event);
  if (error || !value) throw new Error(`calendar entry for booking ${booking.id}: ${error?.message ?? "empty"}`);
  return value;
}
