/**
 * The README.txt inside a learner's export (docs/decisions/0074-the-family-export.md): what each
 * file holds, in plain words. Pure text.
 */
export const EXPORT_FILES = [
  ["README.txt", "This file."],
  ["learner.json", "Who this export is about, when it was made and by whom."],
  [
    "consent.json",
    "What the service keeps of this learner's lessons (recording, transcripts, summaries), and who chose it and when.",
  ],
  [
    "lessons.json",
    "Every lesson: subject, start time (UTC), planned minutes, status, outcome (held, or who was absent), actual seconds, tutor, and each Lessonspace session with who attended and for how long.",
  ],
  ["lessons.csv", "The same lessons, one row each, for a spreadsheet."],
  [
    "notes.json",
    "The tutor's published lesson notes (what was covered) with their homework. Drafts and the tutor's private notes are not part of it.",
  ],
  [
    "homework.csv",
    "Every homework item: its lesson, the task, when it is due, and when and by whom it was ticked done.",
  ],
  [
    "transcripts.json",
    "Every line of every lesson transcript: lesson, session, speaker, seconds from the start, words.",
  ],
  ["transcripts.csv", "The same lines, for a spreadsheet."],
  ["summaries.json", "Lessonspace's summaries of the lessons' sessions."],
  ["talk-time.csv", "Who spoke how many seconds in each session (overlapping speech counted once)."],
  [
    "access-log.json",
    "Who opened this learner's recordings, transcripts, whiteboard snapshots and learning record, and who exported or deleted anything, newest first.",
  ],
  ["access-log.csv", "The same log, for a spreadsheet."],
  ["snapshots/", "The whiteboard snapshots themselves, named by lesson date and lesson id."],
] as const;

export const EXPORT_README = `Everything Tutorwise Classroom holds about this learner
=======================================================

Times are in UTC (ISO 8601). Lessons are identified by their lesson id, which every file uses.
In the CSV files, a cell that starts with = + - or @ is prefixed with an apostrophe (') so that a
spreadsheet shows it as text and never runs it as a formula.

A deleted transcript is absent: lessons.json says when it was deleted (transcriptDeletedAt).

${EXPORT_FILES.map(([name, what]) => `${name}\n    ${what}`).join("\n\n")}
`;
