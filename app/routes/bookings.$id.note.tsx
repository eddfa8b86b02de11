import { parseWithZod } from "@conform-to/zod/v4";
import {
  FormDataParseError,
  MaxFilesExceededError,
  MaxHeaderSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  parseFormData,
} from "@remix-run/form-data-parser";
import { data, redirect } from "react-router";
import { requireViewer } from "~/.server/auth";
import { notFound, requireBookingRecordForViewer } from "~/.server/bookings/bookings";
import { loadNote, loadSummaries, saveNote } from "~/.server/notes/notes";
import { queueLessonRecordAtPublish } from "~/.server/notifications/record-at-publish";
import { LessonBackLinks } from "~/components/bookings/LessonBackLinks";
import { LessonNoteForm, type NoteFormValues } from "~/components/notes/LessonNoteForm";
import { learnerOf } from "~/domain/attendee";
import { lessonTime } from "~/domain/format";
import { homeworkRowCount, noteSchema, noteStateOf, publishedLine } from "~/domain/lesson-note";
import { presentLesson } from "~/domain/lesson-presentation";
import { usableTimeZone } from "~/domain/time-zone";
import type { Route } from "./+types/bookings.$id.note";

// The tutor's lesson note (docs/decisions/0065-lesson-note-versions-and-the-record-at-publishing.md):
// only the booking's tutor may open or post it; everyone else gets the booking page's 404.

// Two texts of 5,000 characters and 20 items of 500, at four bytes a character, fit well within this.
const MAX_NOTE_BODY_BYTES = 256 * 1024;
const CHANGED =
  "This note changed since you opened it. Your text is below, not saved: compare it with the saved note, then save again.";
const NOT_YET =
  "A lesson note can be written once the lesson has started, and not for a lesson that did not take place.";

export const meta: Route.MetaFunction = () => [{ title: "Lesson note · Tutorwise Classroom" }];

async function authorize(args: Route.LoaderArgs | Route.ActionArgs) {
  const viewer = await requireViewer(args);
  const { booking } = await requireBookingRecordForViewer(args.params.id, viewer.id);
  if (booking.tutorId !== viewer.id) throw notFound();
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  const presentation = presentLesson(booking, now, timeZone);
  const lesson = {
    id: booking.id,
    serviceName: booking.serviceName,
    when: lessonTime(booking.sessionStartTime, timeZone, now),
    learnerName: learnerOf(booking).fullName,
  };
  return { viewer, booking, presentation, lesson, now, timeZone };
}

export async function loader(args: Route.LoaderArgs) {
  const { booking, presentation, lesson, now, timeZone } = await authorize(args);
  if (!presentation.actions.note) return data({ lesson, refusal: NOT_YET, form: null }, { status: 403 });
  const note = await loadNote(booking.id);
  // Lessonspace's summary is offered as the draft only while the tutor has written nothing.
  const summaries = note?.covered ? [] : await loadSummaries(booking.id);
  const homework = (note?.homework ?? []).map((item) => ({
    itemId: item.id,
    text: item.text,
    dueOn: item.dueOn ?? "",
  }));
  const empty = Array.from({ length: homeworkRowCount(homework.length) - homework.length }, () => ({
    itemId: "",
    text: "",
    dueOn: "",
  }));
  const defaultValue: NoteFormValues = {
    covered: note?.covered || summaries.join("\n\n"),
    privateNote: note?.privateNote ?? "",
    homework: [...homework, ...empty],
  };
  return {
    lesson,
    refusal: null,
    form: {
      state: noteStateOf(note),
      version: note?.version ?? 0,
      published: note ? publishedLine(note, timeZone, now) : null,
      savedCovered: note?.covered ?? "",
      fromSummary: summaries.length > 0,
      defaultValue,
      saved: args.url.searchParams.get("saved") === "1",
    },
  };
}

export async function action(args: Route.ActionArgs) {
  const { booking, presentation } = await authorize(args);
  if (!presentation.actions.note)
    return data(
      { result: { status: "error" as const, error: { "": [NOT_YET] } }, currentVersion: null },
      { status: 403 },
    );

  let formData: FormData;
  try {
    formData = await parseFormData(args.request, { maxFiles: 0, maxParts: 200, maxTotalSize: MAX_NOTE_BODY_BYTES });
  } catch (error) {
    const unreadable = [
      FormDataParseError,
      MultipartParseError,
      MaxFilesExceededError,
      MaxPartsExceededError,
      MaxHeaderSizeExceededError,
      MaxTotalSizeExceededError,
    ];
    if (!unreadable.some((kind) => error instanceof kind)) throw error;
    const result = { status: "error" as const, error: { "": ["We could not read that form. Please try again."] } };
    return data({ result, currentVersion: null }, { status: 400 });
  }
  const submission = parseWithZod(formData, { schema: noteSchema });
  // "Add another item" without JavaScript: the same form again, one row longer.
  if (submission.status === undefined) return { result: submission.reply(), currentVersion: null };
  if (submission.status !== "success")
    return data({ result: submission.reply(), currentVersion: null }, { status: 400 });

  const now = new Date();
  const saved = await saveNote(booking.id, booking.tutorId, submission.value, now);
  if (!saved.ok)
    return data(
      { result: submission.reply({ formErrors: [CHANGED] }), currentVersion: saved.currentVersion },
      { status: 409 },
    );
  // Published once the lesson is over: its record goes now, with the note (0065).
  if (saved.publishedNow && presentation.state !== "in_progress") await queueLessonRecordAtPublish(booking);
  throw redirect(`/bookings/${booking.id}/note?saved=1`, { status: 303 });
}

export default function LessonNoteRoute({ loaderData, actionData }: Route.ComponentProps) {
  const { lesson, refusal, form } = loaderData;
  return (
    <main className="page narrow">
      <h1>Lesson note</h1>
      <p className="muted">
        {lesson.serviceName} with {lesson.learnerName}, {lesson.when}
      </p>
      {refusal || !form ? (
        <p className="error" role="alert">
          {refusal}
        </p>
      ) : (
        <>
          {form.saved ? (
            <p className="success" role="status">
              {form.state === "published" ? "Saved. The family can read the note on the lesson page." : "Draft saved."}
            </p>
          ) : null}
          <p>
            {form.state === "published"
              ? `${form.published}. The family sees it; changes you save are shown as edited.`
              : "Draft: only you can see it until you publish."}
          </p>
          {form.fromSummary ? (
            <p className="notice">
              “What we covered” is a draft from Lessonspace’s summary of the lesson. Read it and correct it before you
              publish: the family never sees it unless you do.
            </p>
          ) : null}
          {actionData?.currentVersion != null ? (
            <section aria-labelledby="saved-note" className="notice">
              <h2 id="saved-note">The note as saved now</h2>
              <p className="note-text">{form.savedCovered || "(nothing in “What we covered”)"}</p>
            </section>
          ) : null}
          <div className="card">
            <LessonNoteForm
              action={`/bookings/${lesson.id}/note`}
              state={form.state}
              version={actionData?.currentVersion ?? form.version}
              defaultValue={form.defaultValue}
              lastResult={actionData?.result}
            />
          </div>
        </>
      )}
      <LessonBackLinks bookingId={lesson.id} returnTo={null} />
    </main>
  );
}
