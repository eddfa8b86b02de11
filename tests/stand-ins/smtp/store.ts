// What the SMTP catcher keeps of each message: the parsed parts tests assert on, and the raw source.
import { randomUUID } from "node:crypto";
import type { AddressObject, ParsedMail } from "mailparser";

export interface CaughtAttachment {
  contentType: string;
  filename: string | null;
  size: number;
  /** The content as text for text/* parts (e.g. the text/calendar entry), else null. */
  text: string | null;
}

export interface CaughtMessage {
  id: string;
  receivedAt: Date;
  /** The SMTP envelope: MAIL FROM and every accepted RCPT TO. */
  envelope: { from: string; to: string[] };
  /** The From header's address and display name. */
  from: { address: string; name: string } | null;
  /** The To header's addresses and display names. */
  to: { address: string; name: string }[];
  subject: string;
  text: string | null;
  html: string | null;
  /** Lower-cased header name → the header's unfolded raw value (several joined with "\n"). */
  headers: Record<string, string>;
  attachments: CaughtAttachment[];
  messageId: string | null;
  raw: Buffer;
}

function addresses(value: AddressObject | AddressObject[] | undefined): { address: string; name: string }[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((group) => group.value.map((a) => ({ address: a.address ?? "", name: a.name ?? "" })));
}

function rawHeaders(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    // "Key: value" as sent, folded lines joined: what a mail client sees before decoding.
    const value = line
      .slice(line.indexOf(":") + 1)
      .replace(/\r?\n[ \t]+/g, " ")
      .trim();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}\n${value}`;
  }
  return headers;
}

export function toCaughtMessage(
  parsed: ParsedMail,
  raw: Buffer,
  envelope: CaughtMessage["envelope"],
  receivedAt: Date,
): CaughtMessage {
  const from = addresses(parsed.from)[0] ?? null;
  return {
    id: randomUUID(),
    receivedAt,
    envelope,
    from,
    to: addresses(parsed.to),
    subject: parsed.subject ?? "",
    text: parsed.text || null,
    html: parsed.html || null,
    headers: rawHeaders(parsed),
    attachments: parsed.attachments.map((a) => ({
      contentType: a.contentType,
      filename: a.filename ?? null,
      size: a.size,
      text: a.contentType.startsWith("text/") ? a.content.toString("utf8") : null,
    })),
    messageId: parsed.messageId ?? null,
    raw,
  };
}

/** The JSON shape of the HTTP API: everything but the raw bytes. */
export function messageJson(message: CaughtMessage) {
  const { raw: _raw, ...rest } = message;
  return { ...rest, receivedAt: message.receivedAt.toISOString(), size: message.raw.length };
}

export function messageSummary(message: CaughtMessage) {
  return {
    id: message.id,
    receivedAt: message.receivedAt.toISOString(),
    from: message.from,
    to: message.to,
    envelope: message.envelope,
    subject: message.subject,
  };
}

/** Whether `message` was addressed to `address` (envelope or To header), case-insensitively. */
export function isAddressedTo(message: CaughtMessage, address: string): boolean {
  const wanted = address.trim().toLowerCase();
  return (
    message.envelope.to.some((a) => a.toLowerCase() === wanted) ||
    message.to.some((a) => a.address.toLowerCase() === wanted)
  );
}
