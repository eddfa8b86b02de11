import { getCollectionProps, getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, redirect } from "react-router";
import { z } from "zod";
import { requireViewer } from "~/.server/auth";
import { notificationChoices, saveNotificationChoices } from "~/.server/notifications/preferences";
import { Errors } from "~/components/Errors";
import { isNotificationKind, NOTIFICATION_LABELS } from "~/domain/notification-kinds";
import { kindsOfferedTo } from "~/domain/notification-recipients";
import type { Route } from "./+types/settings.notifications";

// Each person chooses which e-mails they get (docs/decisions/0045-email-choices-and-one-click-unsubscribe.md). A ticked box is "on"; the
// kinds offered on the page and left unticked are switched off. Unsubscribe links land here.
// Checked as a whole (not per item) so the message belongs to the group and shows beside it.
const notificationsSchema = z.object({
  enabled: z
    .array(z.string())
    .default([])
    .refine((kinds) => kinds.every(isNotificationKind), "Choose only messages from the list."),
});

export const meta: Route.MetaFunction = () => [{ title: "E-mail notifications · Tutorwise Classroom" }];

export async function loader({ context, request, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const choices = await notificationChoices(viewer.id);
  const offered = kindsOfferedTo(viewer.roles);
  const params = url.searchParams;
  const unsubscribed = params.get("unsubscribed");
  return {
    hasEmail: viewer.email !== null,
    kinds: offered.map((kind) => ({ kind, ...NOTIFICATION_LABELS[kind] })),
    enabled: offered.filter((kind) => choices[kind]),
    saved: params.get("saved") === "1",
    // Said only when it is true, so a crafted link cannot claim a change that did not happen.
    unsubscribedFrom:
      isNotificationKind(unsubscribed) && !choices[unsubscribed] ? NOTIFICATION_LABELS[unsubscribed].title : null,
  };
}

export async function action({ context, request, url }: Route.ActionArgs) {
  const viewer = await requireViewer({ context, request, url });
  const submission = parseWithZod(await request.formData(), { schema: notificationsSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const enabled = new Set<string>(submission.value.enabled);
  await saveNotificationChoices(
    viewer.id,
    Object.fromEntries(kindsOfferedTo(viewer.roles).map((kind) => [kind, enabled.has(kind)])),
  );
  throw redirect("/settings/notifications?saved=1");
}

export default function NotificationSettings({ loaderData, actionData }: Route.ComponentProps) {
  const { hasEmail, kinds, enabled, saved, unsubscribedFrom } = loaderData;
  const [form, fields] = useForm<z.input<typeof notificationsSchema>>({
    lastResult: actionData,
    defaultValue: { enabled },
    shouldValidate: "onSubmit",
  });
  const boxes = getCollectionProps(fields.enabled, { type: "checkbox", options: kinds.map((k) => k.kind) });
  return (
    <>
      <main className="page narrow">
        <h1>E-mail notifications</h1>
        {unsubscribedFrom ? (
          <p className="success" role="status">
            Done: you will no longer get “{unsubscribedFrom}” e-mails. You can switch it back on below.
          </p>
        ) : saved ? (
          <p className="success" role="status">
            Your choices are saved.
          </p>
        ) : null}
        {hasEmail ? null : (
          <p className="notice">
            Your profile has no e-mail address of its own, so your guardians receive your lessons’ messages.
          </p>
        )}
        <Form method="post" className="card stack" {...getFormProps(form)}>
          <Errors id={form.errorId} errors={form.errors} alert />
          <fieldset aria-describedby={fields.enabled.errors ? fields.enabled.errorId : undefined}>
            <legend>Send me these e-mails</legend>
            {boxes.map(({ key, ...box }, index) => {
              const label = kinds[index]!;
              const descriptionId = `${box.id}-description`;
              return (
                <div key={key} className="checkbox">
                  <input {...box} aria-describedby={descriptionId} />
                  <label htmlFor={box.id}>{label.title}</label>
                  <p id={descriptionId} className="muted">
                    {label.description}
                  </p>
                </div>
              );
            })}
            <Errors id={fields.enabled.errorId} errors={fields.enabled.errors} alert />
          </fieldset>
          <button type="submit" className="primary">
            Save choices
          </button>
        </Form>
        <p>
          <a href="/">Back to your lessons</a>
        </p>
      </main>
    </>
  );
}
