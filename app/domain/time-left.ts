/**
 * The classroom header's "time left" line. Pure: the caller passes `now` (the server when it
 * renders, the browser every half minute after that).
 */
export type LessonTimes = { startsAt: number; endsAt: number; closesAt: number };

export function timeLeftLabel(now: number, { startsAt, endsAt, closesAt }: LessonTimes): string {
  if (now < startsAt) return `Starts in ${minutes(startsAt - now)}`;
  if (now < endsAt) return `${minutes(endsAt - now)} left`;
  if (now < closesAt) return `Lesson time is over · the room closes in ${minutes(closesAt - now)}`;
  return "The room has closed";
}

/** Whole minutes, rounded up, so "1 min left" shows until the very end. */
function minutes(ms: number): string {
  const total = Math.max(1, Math.ceil(ms / 60_000));
  if (total < 60) return `${total} min`;
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
