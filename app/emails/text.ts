// Plain-text versions, written for text: short lines, labels aligned, each link on a line of its own.
import type { EmailLinks } from "./content";

export type TextEmail = {
  greeting: string;
  heading: string;
  paragraphs: string[];
  details?: { label: string; value: string }[];
  /** Blocks between the details and the action, e.g. the reviews. */
  sections?: string[];
  action: { label: string; href: string };
  afterAction?: string[];
  footer: {
    reason: string;
    unsubscribe: string;
    settings: string;
    links: Pick<EmailLinks, "unsubscribeUrl" | "settingsUrl">;
  };
};

export function textEmail(email: TextEmail): string {
  const width = Math.max(0, ...(email.details ?? []).map((row) => row.label.length)) + 2;
  const blocks = [
    email.greeting,
    `${email.heading}\n${"=".repeat(Math.min(email.heading.length, 72))}`,
    ...email.paragraphs,
    email.details?.length ? email.details.map((row) => `${`${row.label}:`.padEnd(width)}${row.value}`).join("\n") : "",
    ...(email.sections ?? []),
    `${email.action.label}:\n${email.action.href}`,
    ...(email.afterAction ?? []),
    [
      "--",
      email.footer.reason,
      `${email.footer.unsubscribe}: ${email.footer.links.unsubscribeUrl}`,
      `${email.footer.settings}: ${email.footer.links.settingsUrl}`,
    ].join("\n"),
  ];
  return `${blocks.filter(Boolean).join("\n\n")}\n`;
}
