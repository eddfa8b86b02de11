// Placeholder until its issue lands: answers 404 like any unknown page.
export { action, loader } from "./not-found";
export default function Placeholder() {
  return null;
}
