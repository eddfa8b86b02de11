// Local stand-in for an SMTP provider (docs/decisions/0027-stand-ins-for-outside-services.md): a real SMTP server on loopback
// with a web inbox, so dev mode, integration tests, Playwright and the bench send real e-mail over
// SMTP and read what arrived. Only SMTP_URL differs from production.
export { startSmtpStandIn } from "./smtp/server";
export type { Refusal, RefusalCode, SmtpFailures, SmtpStandIn, SmtpStandInOptions } from "./smtp/server";
export type { CaughtAttachment, CaughtMessage } from "./smtp/store";
