import { redirect } from "react-router";
import { requireViewer } from "~/.server/auth";
import type { Route } from "./+types/settings.privacy";

// The account menu's "Privacy": the signed-in person's own page (an adult learner decides there;
// a child reads what their guardians chose). docs/decisions/0070-consent-per-learner.md
export async function loader({ context, request, url }: Route.LoaderArgs) {
  const viewer = await requireViewer({ context, request, url });
  throw redirect(`/students/${viewer.id}/privacy`);
}
