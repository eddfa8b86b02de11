import { data } from "react-router";

// Any unknown path answers a real 404 page (rendered by the root error boundary).
export function loader() {
  throw data("Not found", { status: 404 });
}

export function action() {
  throw data("Not found", { status: 404 });
}

export default function NotFound() {
  return null;
}
