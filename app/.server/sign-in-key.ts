import { getClientIPAddress } from "remix-utils/get-client-ip-address";

/**
 * Sign-in counts failed attempts per client IP and email: guessing passwords for one account
 * meets the limit, while a family signing in and out on one shared connection never does.
 * Behind no proxy the IP is unknown, and the key falls back to the email alone.
 */
export function signInKey(request: Request, email: string): string {
  const ip = getClientIPAddress(request) ?? "unknown-ip";
  return `${ip}:${email.trim().toLowerCase()}`;
}
