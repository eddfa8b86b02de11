import { getFormProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, redirect } from "react-router";
import { z } from "zod";
import { requireViewer } from "~/.server/auth";
import { saveTimeZone } from "~/.server/time-zone-setting";
import { formatDateTime, timeZoneLabel } from "~/domain/format";
import { safeReturnPath } from "~/domain/return-path";
import { isTimeZone, timeZoneChoices, usableTimeZone } from "~/domain/time-zone";
import type { Route } from "./+types/settings.time-zone";
import { Errors } from "~/components/Errors";

const timeZoneSchema = z.object({
  timeZone: z.string("Choose a time zone.").refine(isTimeZone, "Choose a time zone from the list."),
  returnTo: z.string().optional(),
});

export const meta: Route.MetaFunction = () => [{ title: "Time zone · Tutorwise Classroom" }];

export async function loader({ context, request, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  const now = new Date();
  const timeZone = usableTimeZone(viewer.timeZone);
  return {
    timeZone: viewer.timeZone,
    current: timeZoneLabel(timeZone, now),
    currentTime: formatDateTime(now, timeZone, now),
    choices: timeZoneChoices(viewer.timeZone),
    returnTo: safeReturnPath(url.searchParams.get("returnTo")),
  };
}

export async function action({ context, request, url }: Route.ActionArgs) {
  const viewer = await requireViewer({ context, request, url });
  const submission = parseWithZod(await request.formData(), { schema: timeZoneSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const outcome = await saveTimeZone(viewer.id, submission.value.timeZone);
  if (!outcome.ok) return data(submission.reply({ fieldErrors: { timeZone: [outcome.reason] } }), { status: 400 });
  throw redirect(safeReturnPath(submission.value.returnTo));
}

export default function TimeZoneSettings({ loaderData, actionData }: Route.ComponentProps) {
  const { timeZone, current, currentTime, choices, returnTo } = loaderData;
  const [form, fields] = useForm<z.input<typeof timeZoneSchema>>({
    lastResult: actionData,
    defaultValue: { timeZone },
    shouldValidate: "onSubmit",
  });
  return (
    <>
      <main className="page narrow">
        <h1>Your time zone</h1>
        <p>
          Lesson times are shown in {current}; it is {currentTime} there now.
        </p>
        <Form method="post" className="card stack" {...getFormProps(form)}>
          <input type="hidden" name="returnTo" value={returnTo} />
          <Errors id={form.errorId} errors={form.errors} alert />
          <div>
            <label htmlFor={fields.timeZone.id}>Time zone</label>
            <select {...getSelectProps(fields.timeZone)} required>
              {choices.map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replaceAll("_", " ")}
                </option>
              ))}
            </select>
            <Errors id={fields.timeZone.errorId} errors={fields.timeZone.errors} alert />
          </div>
          <button type="submit" className="primary">
            Save time zone
          </button>
        </Form>
        <p>
          <a href={returnTo}>Back without changing</a>
        </p>
      </main>
    </>
  );
}
