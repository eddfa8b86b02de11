/**
 * The tutor's lesson note form: "What we covered", homework rows (text and an optional due date),
 * a private note, and Save draft / Publish (Save changes once published). A plain form first:
 * "Add another item" is Conform's list intent, which the server answers with one more row when
 * JavaScript is off and the browser adds at once when it is on. Limits are HTML attributes too;
 * the server checks them again (app/domain/lesson-note.ts).
 */
import { getFormProps, getInputProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { Form } from "react-router";
import { Errors } from "~/components/Errors";
import { HOMEWORK_ITEMS_MAX, HOMEWORK_TEXT_MAX, NOTE_TEXT_MAX, type NoteState } from "~/domain/lesson-note";

export type HomeworkRow = { itemId: string; text: string; dueOn: string };

export type NoteFormValues = { covered: string; privateNote: string; homework: HomeworkRow[] };

export function LessonNoteForm({
  action,
  state,
  version,
  defaultValue,
  lastResult,
}: {
  action: string;
  state: NoteState;
  /** The version the form was opened at (0: no note yet); a save against an older one is refused. */
  version: number;
  defaultValue: NoteFormValues;
  lastResult?: SubmissionResult<string[]> | null;
}) {
  const [form, fields] = useForm<NoteFormValues>({
    id: "lesson-note",
    lastResult,
    defaultValue,
    shouldValidate: "onSubmit",
  });
  const rows = fields.homework.getFieldList();
  const coveredHint = `${fields.covered.id}-hint`;
  return (
    <Form method="post" action={action} className="stack" {...getFormProps(form)}>
      <input type="hidden" name="version" value={version} />
      <Errors id={form.errorId} errors={form.errors} alert />
      <div>
        <label htmlFor={fields.covered.id}>What we covered</label>
        <textarea
          {...getTextareaProps(fields.covered, { ariaDescribedBy: coveredHint })}
          rows={8}
          maxLength={NOTE_TEXT_MAX}
        />
        <Errors id={fields.covered.errorId} errors={fields.covered.errors} />
        <p className="muted" id={coveredHint}>
          The family reads this once you publish. Up to {NOTE_TEXT_MAX.toLocaleString("en-GB")} characters.
        </p>
      </div>
      <fieldset className="stack">
        <legend>Homework and next steps</legend>
        <Errors id={fields.homework.errorId} errors={fields.homework.errors} alert />
        <ol className="homework-rows">
          {rows.map((row, index) => {
            const item = row.getFieldset();
            return (
              <li key={row.key}>
                <input {...getInputProps(item.itemId, { type: "hidden" })} />
                <label htmlFor={item.text.id}>Item {index + 1}</label>
                <input {...getInputProps(item.text, { type: "text" })} maxLength={HOMEWORK_TEXT_MAX} />
                <Errors id={item.text.errorId} errors={item.text.errors} />
                <label htmlFor={item.dueOn.id}>Due (optional)</label>
                <input {...getInputProps(item.dueOn, { type: "date" })} />
                <Errors id={item.dueOn.errorId} errors={item.dueOn.errors} />
              </li>
            );
          })}
        </ol>
        {rows.length < HOMEWORK_ITEMS_MAX ? (
          <p>
            <button {...form.insert.getButtonProps({ name: fields.homework.name })}>Add another item</button>
          </p>
        ) : (
          <p className="muted">A note holds at most {HOMEWORK_ITEMS_MAX} homework items.</p>
        )}
      </fieldset>
      <div>
        <label htmlFor={fields.privateNote.id}>Private note</label>
        <textarea
          {...getTextareaProps(fields.privateNote, { ariaDescribedBy: `${fields.privateNote.id}-hint` })}
          rows={4}
          maxLength={NOTE_TEXT_MAX}
        />
        <Errors id={fields.privateNote.errorId} errors={fields.privateNote.errors} />
        <p className="muted" id={`${fields.privateNote.id}-hint`}>
          Only you ever see this, never the family.
        </p>
      </div>
      <p>
        {state === "published" ? (
          <button type="submit" name="save" value="publish" className="primary">
            Save changes
          </button>
        ) : (
          <>
            <button type="submit" name="save" value="draft">
              Save draft
            </button>{" "}
            <button type="submit" name="save" value="publish" className="primary">
              Publish
            </button>
          </>
        )}
      </p>
    </Form>
  );
}
