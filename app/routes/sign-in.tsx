import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, redirect } from "react-router";
import { z } from "zod";
import { signInWithPassword, viewerFrom } from "~/.server/auth";
import { forgetFailedSignIns, recordFailedSignIn, signInAllowed, signInKey } from "~/.server/rate-limit";
import { safeReturnPath } from "~/domain/return-path";
import type { Route } from "./+types/sign-in";
import { Errors } from "~/components/Errors";

const signInSchema = z.object({
  email: z.email("Enter the email address you signed up with."),
  password: z.string("Enter your password.").min(1, "Enter your password."),
  redirectTo: z.string().optional(),
});

export const meta: Route.MetaFunction = () => [{ title: "Sign in · Tutorwise Classroom" }];

export async function loader({ context, url }: Route.LoaderArgs) {
  const { viewer } = await viewerFrom(context);
  const redirectTo = safeReturnPath(url.searchParams.get("redirectTo"));
  if (viewer) throw redirect(redirectTo);
  const notice = url.searchParams.get("notice");
  return { redirectTo, authUnavailable: notice === "auth-unavailable", signedOut: notice === "signed-out" };
}

export async function action({ request }: Route.ActionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: signInSchema });
  if (submission.status !== "success") {
    return data(submission.reply({ hideFields: ["password"] }), { status: 400 });
  }
  const { email, password, redirectTo } = submission.value;
  // Failed attempts per IP and email are limited; the Auth server is not asked once over it.
  const limitKey = signInKey(request, email);
  const allowed = await signInAllowed(limitKey);
  if (!allowed.ok) {
    const wait = allowed.retryAfterSeconds;
    const message = `Too many sign-in attempts for this email. Please wait ${wait === 1 ? "1 second" : `${wait} seconds`} and try again.`;
    return data(submission.reply({ formErrors: [message], hideFields: ["password"] }), {
      status: 429,
      headers: { "Retry-After": String(wait) },
    });
  }
  const outcome = await signInWithPassword(request, { email, password });
  if (outcome.ok) await forgetFailedSignIns(limitKey);
  else if (outcome.reason === "invalid-credentials") await recordFailedSignIn(limitKey);
  if (!outcome.ok) {
    const message =
      outcome.reason === "unavailable"
        ? "We could not reach the sign-in service. Please try again in a minute."
        : "That email and password do not match an account.";
    return data(submission.reply({ formErrors: [message], hideFields: ["password"] }), {
      status: outcome.reason === "unavailable" ? 503 : 401,
    });
  }
  throw redirect(safeReturnPath(redirectTo), { headers: outcome.headers });
}

// Action headers reach the page only through here: a 429 must carry its Retry-After.
export function headers({ actionHeaders }: Route.HeadersArgs) {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : {};
}

export default function SignIn({ loaderData, actionData }: Route.ComponentProps) {
  const [form, fields] = useForm<z.input<typeof signInSchema>>({ lastResult: actionData, shouldValidate: "onSubmit" });
  return (
    <main className="page narrow">
      <h1>Sign in to Tutorwise Classroom</h1>
      {loaderData.authUnavailable ? (
        <p className="notice" role="status">
          We could not confirm your session because the sign-in service is unreachable. Please sign in again.
        </p>
      ) : null}
      {loaderData.signedOut ? (
        <p className="success" role="status">
          You have signed out.
        </p>
      ) : null}
      <Form method="post" className="card stack" {...getFormProps(form)}>
        <input type="hidden" name="redirectTo" value={loaderData.redirectTo} />
        <Errors id={form.errorId} errors={form.errors} alert />
        <div>
          <label htmlFor={fields.email.id}>Email</label>
          {/* eslint-disable-next-line jsx-a11y/no-autofocus -- signing in is the page's only task */}
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" required autoFocus />
          <Errors id={fields.email.errorId} errors={fields.email.errors} />
        </div>
        <div>
          <label htmlFor={fields.password.id}>Password</label>
          <input {...getInputProps(fields.password, { type: "password" })} autoComplete="current-password" required />
          <Errors id={fields.password.errorId} errors={fields.password.errors} />
        </div>
        <button type="submit" className="primary">
          Sign in
        </button>
      </Form>
    </main>
  );
}
