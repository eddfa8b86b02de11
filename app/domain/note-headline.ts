/**
 * A published lesson note's headline: the first line of "What we covered" that has text on it, on
 * one line and at most 200 characters. The weekly digest and the learning record show it beside the
 * lesson (docs/decisions/0052-lesson-notes-homework-and-summaries.md); only a published note's text is ever passed here.
 */
export function noteHeadline(covered: string): string | null {
  const line = covered
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim())
    .find((l) => l.length > 0);
  if (!line) return null;
  const flat = line.replace(/\s+/g, " ");
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
