// Sending e-mail over SMTP (docs/decisions/0042-email-retries-and-undeliverable-addresses.md): one pooled nodemailer transport per process,
// from SMTP_URL. SMTP faults come back as outcomes, never as exceptions, so the caller (the
// notification sender) decides between "retry later" and "give up on this address".
import nodemailer from "nodemailer";
import type { NodemailerError, SendMailOptions, Transporter } from "nodemailer";
import { env } from "../env";

export type MailSendOutcome = { ok: true; messageId: string } | { ok: false; permanent: boolean; reason: string };

export type Mailer = {
  sendMail(options: SendMailOptions): Promise<MailSendOutcome>;
  /** Closes the pooled connections; later sends open new ones. */
  close(): Promise<void>;
};

export type MailerOptions = {
  smtpUrl: string;
  /** Connecting, the server's greeting, DNS; default 5 s each. */
  connectTimeoutMs?: number;
  /** A silent connection mid-conversation; default 15 s (a large DATA on a slow link). */
  socketTimeoutMs?: number;
};

// Errors about our own set-up, not about the address: retrying after a fix must succeed.
const OUR_SIDE = new Set(["EAUTH", "ENOAUTH", "ECONFIG", "ETLS", "EREQUIRETLS", "EOAUTH2"]);

/**
 * Permanent when the server refused for good (5xx to MAIL/RCPT/DATA, RFC 5321; 503 is a session
 * state error, not a refusal) or the envelope could not be built at all; everything else, such as
 * 4xx replies, refused or reset connections and timeouts, is worth retrying.
 */
export function classifySendError(error: unknown): { permanent: boolean; reason: string } {
  const e = (error ?? {}) as NodemailerError;
  const code = typeof e.code === "string" ? e.code : undefined;
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : undefined;
  let permanent: boolean;
  if (code && OUR_SIDE.has(code)) permanent = false;
  else if (responseCode !== undefined) permanent = responseCode >= 500 && responseCode < 600 && responseCode !== 503;
  else permanent = code === "EENVELOPE";
  const detail = e.response ?? e.message ?? String(error);
  const reason = [
    code,
    responseCode !== undefined && !String(detail).startsWith(String(responseCode)) ? responseCode : undefined,
    detail,
  ]
    .filter((part) => part !== undefined && part !== "")
    .join(" ")
    .replace(/[\r\n]+/g, " ")
    .slice(0, 500);
  return { permanent, reason };
}

export function createMailer(options: MailerOptions): Mailer {
  const connectTimeout = options.connectTimeoutMs ?? 5000;
  const transport: Transporter = nodemailer.createTransport({
    url: options.smtpUrl,
    pool: true,
    maxConnections: 5,
    // One more try when a pooled connection turns out to be closed; further retries are the queue's, with backoff.
    maxRequeues: 1,
    connectionTimeout: connectTimeout,
    greetingTimeout: connectTimeout,
    dnsTimeout: connectTimeout,
    socketTimeout: options.socketTimeoutMs ?? 15_000,
  });
  return {
    async sendMail(message) {
      try {
        const info = await transport.sendMail(message);
        return { ok: true, messageId: String(info.messageId ?? "") };
      } catch (error) {
        return { ok: false, ...classifySendError(error) };
      }
    },
    async close() {
      transport.close();
    },
  };
}

let shared: Mailer | undefined;

/** Sends one message through the process's pooled transport (created on first use from SMTP_URL). */
export function sendMail(options: SendMailOptions): Promise<MailSendOutcome> {
  shared ??= createMailer({ smtpUrl: env().SMTP_URL });
  return shared.sendMail(options);
}

/** Closes the process's transport (worker shutdown, end of a test file). */
export async function closeMailer(): Promise<void> {
  const closing = shared;
  shared = undefined;
  await closing?.close();
}
