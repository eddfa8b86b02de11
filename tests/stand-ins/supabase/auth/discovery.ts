// What needs no session: the JWKS (public keys for verifying access tokens), health and settings.
import type { Hono } from "hono";
import type { AuthState } from "./state";

export function discoveryRoutes(app: Hono, state: AuthState): void {
  app.get("/.well-known/jwks.json", (c) => {
    c.header("Cache-Control", "public, max-age=600");
    return c.json(state.keys.jwks);
  });

  app.get("/health", (c) =>
    c.json({
      version: "stand-in",
      name: "GoTrue",
      description: "GoTrue is a user registration and authentication API",
    }),
  );

  app.get("/settings", (c) =>
    c.json({
      external: { email: true, phone: false, anonymous_users: false },
      disable_signup: true,
      mailer_autoconfirm: false,
      phone_autoconfirm: false,
      sms_provider: "",
      saml_enabled: false,
    }),
  );
}
