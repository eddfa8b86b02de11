import { redirect } from "react-router";
import { signOut } from "~/.server/auth";
import type { Route } from "./+types/sign-out";

// Sign-out is a POST only: a GET (a link, a prefetch, an image tag) must never end a session.
export async function action({ request }: Route.ActionArgs) {
  const headers = await signOut(request);
  throw redirect("/sign-in?notice=signed-out", { headers });
}

export function loader() {
  throw redirect("/");
}
