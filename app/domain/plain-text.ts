import { z } from "zod";

/**
 * PostgreSQL's text cannot hold U+0000: a NUL byte in a parameter fails the whole statement
 * (error 22021), and in a statement sent as text it breaks the protocol message. No person types
 * one, so input that reaches the database is checked here first: forms and the search refuse it
 * with a message, outside data we keep (transcripts) has it dropped, ids that contain it are not ids.
 */

export function hasNul(text: string): boolean {
  return text.includes("\u0000");
}

export function withoutNul(text: string): string {
  return text.replaceAll("\u0000", "");
}

export const NUL_MESSAGE = "Remove the invisible control character (a NUL byte) from this and try again.";

/** A form's free-text field: any string without a NUL byte. */
export function plainText(message?: string) {
  return z.string(message).refine((text) => !hasNul(text), NUL_MESSAGE);
}
