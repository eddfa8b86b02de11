// The state every part of the Auth stand-in shares, in one object: users, sessions and refresh
// tokens (in memory) and the settings, with the rules that change them.
import { randomBytes, randomUUID, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import type { KeyMaterial } from "../keys";

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number },
) => Promise<Buffer>;

export interface AuthState {
  /** `${url}/auth/v1`: the access tokens' iss. */
  issuer: string;
  keys: KeyMaterial;
  accessTokenTtlSeconds: number;
  /** GoTrue's GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL (default 10 s). */
  refreshTokenReuseIntervalSeconds: number;
  now: () => number;
  users: Map<string, UserRecord>;
  sessions: Map<string, SessionRecord>;
  refreshTokens: Map<string, RefreshTokenRecord>;
}

export interface NewUser {
  id?: string;
  email: string;
  password: string;
  emailConfirmed?: boolean;
  userMetadata?: Record<string, unknown>;
  appMetadata?: Record<string, unknown>;
}

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string | null;
  emailConfirmedAt: string | null;
  createdAt: string;
  updatedAt: string;
  lastSignInAt: string | null;
  userMetadata: Record<string, unknown>;
  appMetadata: Record<string, unknown>;
}

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: string;
  amr: { method: string; timestamp: number }[];
}

export interface RefreshTokenRecord {
  token: string;
  sessionId: string;
  revoked: boolean;
  parent: string | null;
  /** ms; GoTrue measures the reuse interval from the row's updated_at. */
  updatedAt: number;
  createdAt: number;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MIN_PASSWORD_LENGTH = 6;

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  // Low cost on purpose: a test stand-in, not a password store.
  const hash = await scryptAsync(password, salt, 32, { N: 1024 });
  return `${salt.toString("base64")}$${hash.toString("base64")}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [saltB64, hashB64] = stored.split("$");
  if (!saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, "base64");
  const actual = await scryptAsync(password, Buffer.from(saltB64, "base64"), expected.length, {
    N: 1024,
  });
  return timingSafeEqual(expected, actual);
}

export const nowIso = (state: AuthState) => new Date(state.now()).toISOString();

export function findUserByEmail(state: AuthState, email: string): UserRecord | undefined {
  const wanted = email.trim().toLowerCase();
  for (const u of state.users.values()) if (u.email === wanted) return u;
  return undefined;
}

export function newRefreshToken(state: AuthState, sessionId: string, parent: string | null): RefreshTokenRecord {
  const t = state.now();
  const record: RefreshTokenRecord = {
    token: randomBytes(12).toString("base64url"),
    sessionId,
    revoked: false,
    parent,
    updatedAt: t,
    createdAt: t,
  };
  state.refreshTokens.set(record.token, record);
  return record;
}

export function deleteSession(state: AuthState, sessionId: string): void {
  state.sessions.delete(sessionId);
  for (const [token, rt] of state.refreshTokens) if (rt.sessionId === sessionId) state.refreshTokens.delete(token);
}

/** Idempotent by email: an existing user gets the new password (and keeps its id). */
export async function createUser(state: AuthState, u: NewUser): Promise<{ id: string }> {
  const email = u.email.trim().toLowerCase();
  const existing = findUserByEmail(state, email);
  const t = nowIso(state);
  if (existing) {
    if (u.id && u.id !== existing.id) {
      throw new Error(`supabase stand-in: ${email} already exists with id ${existing.id}, not ${u.id}`);
    }
    existing.passwordHash = await hashPassword(u.password);
    existing.updatedAt = t;
    if (u.emailConfirmed !== false && !existing.emailConfirmedAt) existing.emailConfirmedAt = t;
    if (u.userMetadata) existing.userMetadata = u.userMetadata;
    return { id: existing.id };
  }
  const id = u.id ?? randomUUID();
  if (!UUID_RE.test(id)) throw new Error(`supabase stand-in: user id must be a UUID, got ${id}`);
  if (state.users.has(id)) throw new Error(`supabase stand-in: user id ${id} is taken`);
  state.users.set(id, {
    id,
    email,
    passwordHash: await hashPassword(u.password),
    emailConfirmedAt: u.emailConfirmed === false ? null : t,
    createdAt: t,
    updatedAt: t,
    lastSignInAt: null,
    userMetadata: u.userMetadata ?? {},
    appMetadata: { provider: "email", providers: ["email"], ...(u.appMetadata ?? {}) },
  });
  return { id };
}
