// Key material of one stand-in project, shaped like a current Supabase project:
// - a legacy HS256 "JWT secret" that signs the anon and service_role API keys (and signed
//   Storage URLs), as Supabase's legacy keys are;
// - an asymmetric ES256 signing key (with a `kid`) for user access tokens, published as a JWKS,
//   so `supabase.auth.getClaims()` verifies them locally.
import { randomBytes, randomUUID } from "node:crypto";
import {
  SignJWT,
  decodeProtectedHeader,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from "jose";

export interface KeyMaterial {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  /** The public JWKS served at /auth/v1/.well-known/jwks.json. */
  jwks: { keys: JWK[] };
  signAccessToken(claims: JWTPayload): Promise<string>;
  signHs256(claims: JWTPayload): Promise<string>;
  /** Verifies an HS256 (legacy secret) or ES256 (our kid) token. Throws TokenError. */
  verify(token: string): Promise<JWTPayload & Record<string, unknown>>;
  /** Verifies only HS256 tokens signed with the legacy secret (signed Storage URLs). */
  verifyHs256(token: string): Promise<JWTPayload & Record<string, unknown>>;
}

/** A verification failure; `expired` lets callers phrase it like the real servers do. */
export class TokenError extends Error {
  constructor(
    message: string,
    readonly kind: "expired" | "signature" | "malformed" | "unknown_kid",
  ) {
    super(message);
  }
}

// Fixed times so that a fixed jwtSecret yields the same API keys on every start.
const API_KEY_IAT = 1735689600; // 2025-01-01
const API_KEY_EXP = 2051222400; // 2035-01-01

export async function createKeyMaterial(opts: { jwtSecret?: string } = {}): Promise<KeyMaterial> {
  const jwtSecret = opts.jwtSecret ?? randomBytes(32).toString("base64url");
  const hmacKey = new TextEncoder().encode(jwtSecret);

  // A fresh kid per key pair: auth-js caches JWKS per storage key at module level
  // (GLOBAL_JWKS), so a reused kid with a new key would fail verification in-process.
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const jwk: JWK = {
    ...publicJwk,
    alg: "ES256",
    kid,
    use: "sig",
    key_ops: ["verify"],
    ext: true,
  };

  const signHs256 = (claims: JWTPayload) =>
    new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(hmacKey);

  const apiKey = (role: "anon" | "service_role") =>
    signHs256({ iss: "supabase", ref: "standin", role, iat: API_KEY_IAT, exp: API_KEY_EXP });

  const translate = (err: unknown): TokenError => {
    if (err instanceof TokenError) return err;
    if (err instanceof joseErrors.JWTExpired) {
      return new TokenError("token has invalid claims: token is expired", "expired");
    }
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
      return new TokenError("token signature is invalid: signature verification failed", "signature");
    }
    const detail = err instanceof Error ? err.message : String(err);
    return new TokenError(`token is malformed: ${detail}`, "malformed");
  };

  const verifyHs256 = async (token: string) => {
    try {
      const { payload } = await jwtVerify(token, hmacKey, { algorithms: ["HS256"] });
      return payload as JWTPayload & Record<string, unknown>;
    } catch (err) {
      throw translate(err);
    }
  };

  const verify = async (token: string) => {
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch (err) {
      throw translate(err);
    }
    if (header.kid !== undefined && header.kid !== kid) {
      throw new TokenError(
        `token is unverifiable: error while executing keyfunc: unrecognized JWT kid ${header.kid} for algorithm ${header.alg}`,
        "unknown_kid",
      );
    }
    if (header.alg === "HS256") return verifyHs256(token);
    try {
      const { payload } = await jwtVerify(token, publicKey, { algorithms: ["ES256"] });
      return payload as JWTPayload & Record<string, unknown>;
    } catch (err) {
      throw translate(err);
    }
  };

  return {
    jwtSecret,
    anonKey: await apiKey("anon"),
    serviceRoleKey: await apiKey("service_role"),
    jwks: { keys: [jwk] },
    signAccessToken: (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).sign(privateKey),
    signHs256,
    verify,
    verifyHs256,
  };
}
