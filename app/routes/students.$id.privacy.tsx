import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, redirect } from "react-router";
import { z } from "zod";
import { requireViewer } from "~/.server/auth";
import { consentPageOf, consentPolicy, requireConsentScope, saveConsent } from "~/.server/privacy/consent";
import { Errors } from "~/components/Errors";
import { checkConsentChoice, CONSENT_LABELS } from "~/domain/consent";
import type { Route } from "./+types/students.$id.privacy";

// What is kept of a learner's lessons (docs/decisions/0070-consent-per-learner.md): an active
// guardian decides for a child, an adult learner for themself. A ticked box is "on". A choice that
// needs another is refused with a message beside it, never switched silently.
function consentSchema(recordingRequired: boolean) {
  return z
    .object({
      recording: z.boolean().default(false),
      transcription: z.boolean().default(false),
      summaries: z.boolean().default(false),
    })
    .superRefine((asked, context) => {
      const checked = checkConsentChoice(asked, recordingRequired);
      if (checked.ok) return;
      for (const [path, message] of Object.entries(checked.problems))
        context.addIssue({ code: "custom", path: [path], message });
    });
}

export const meta: Route.MetaFunction = ({ loaderData }) => [
  {
    title: loaderData
      ? `What is kept: ${loaderData.learner.fullName} · Tutorwise Classroom`
      : "What is kept · Tutorwise Classroom",
  },
];

export async function loader({ context, request, params, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const scope = await requireConsentScope(params.id, viewer.id);
  const { effective, lessonInProgress } = await consentPageOf(scope);
  return data(
    {
      learner: scope.learner,
      own: scope.learner.id === viewer.id,
      mayChange: scope.mayChange,
      chosen: scope.stored !== null,
      consent: effective,
      recordingRequired: consentPolicy().recordingRequired,
      lessonInProgress,
      saved: url.searchParams.get("saved") === "1",
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ context, request, params, url }: Route.ActionArgs) {
  const viewer = await requireViewer({ context, request, url });
  const scope = await requireConsentScope(params.id, viewer.id);
  // A child reads their own page; only their guardians change it. Same 404 as any refusal.
  if (!scope.mayChange) throw data("Not found", { status: 404 });
  const recordingRequired = consentPolicy().recordingRequired;
  const submission = parseWithZod(await request.formData(), { schema: consentSchema(recordingRequired) });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const checked = checkConsentChoice(submission.value, recordingRequired);
  if (!checked.ok) return data(submission.reply(), { status: 400 });
  await saveConsent(scope.learner.id, checked.consent, viewer.id, new Date());
  throw redirect(`/students/${scope.learner.id}/privacy?saved=1`);
}

export default function Privacy({ loaderData, actionData }: Route.ComponentProps) {
  const { learner, own, mayChange, chosen, consent, recordingRequired, lessonInProgress, saved } = loaderData;
  const [form, fields] = useForm<z.input<ReturnType<typeof consentSchema>>>({
    lastResult: actionData,
    defaultValue: consent,
    shouldValidate: "onSubmit",
  });
  const whose = own ? "your" : `${learner.fullName}'s`;
  const choices = [
    { field: fields.recording, kind: "recording" as const, locked: recordingRequired },
    { field: fields.transcription, kind: "transcription" as const, locked: false },
    { field: fields.summaries, kind: "summaries" as const, locked: false },
  ];
  return (
    <main className="page narrow">
      <h1>What is kept of {whose} lessons</h1>
      {saved ? (
        <p className="success" role="status">
          Your choices are saved.
          {lessonInProgress ? null : " They apply from the next time the classroom opens."}
        </p>
      ) : null}
      {lessonInProgress ? (
        <p className="notice" role="status">
          A lesson is in progress: your change applies from the next lesson.
        </p>
      ) : null}
      {recordingRequired ? (
        <p className="notice">
          Every lesson is recorded: this service requires it to keep learners safe, so that what happened in a lesson
          can be checked if a concern is raised. You choose whether a transcript and a summary are kept.
        </p>
      ) : null}
      {chosen ? null : <p className="muted">Nothing has been chosen yet, so this service's defaults apply.</p>}
      {mayChange ? (
        <Form method="post" className="card stack" {...getFormProps(form)}>
          <Errors id={form.errorId} errors={form.errors} alert />
          <fieldset>
            <legend>Keep from {whose} lessons</legend>
            {choices.map(({ field, kind, locked }) => {
              const label = CONSENT_LABELS[kind];
              const descriptionId = `${field.id}-description`;
              const { key: boxKey, ...box } = getInputProps(field, { type: "checkbox" });
              return (
                <div key={kind} className="checkbox">
                  {locked ? (
                    <input type="checkbox" id={field.id} checked disabled aria-describedby={descriptionId} />
                  ) : (
                    <input
                      {...box}
                      key={boxKey}
                      aria-describedby={field.errors ? `${descriptionId} ${field.errorId}` : descriptionId}
                    />
                  )}
                  <label htmlFor={field.id}>
                    {label.title}
                    {locked ? " (required)" : null}
                  </label>
                  <p id={descriptionId} className="muted">
                    {label.description}
                  </p>
                  <Errors id={field.errorId} errors={field.errors} alert />
                </div>
              );
            })}
          </fieldset>
          <p className="muted">
            What was already kept stays until it is deleted or reaches the end of its keeping period.
          </p>
          <button type="submit" className="primary">
            Save choices
          </button>
        </Form>
      ) : (
        <section className="card stack" aria-label="Current choices">
          <p>Your guardians choose what is kept of your lessons.</p>
          <ul>
            {choices.map(({ kind }) => (
              <li key={kind}>
                {CONSENT_LABELS[kind].title}: {consent[kind] ? "yes" : "no"}
              </li>
            ))}
          </ul>
        </section>
      )}
      <p>
        <a href="/">Back to your lessons</a>
      </p>
    </main>
  );
}
