import { describe, expect, it } from "vitest";
import { classifySendError } from "./mailer";

describe("classifySendError", () => {
  it("5xx replies are permanent, except 503 (wrong session state, not a refusal)", () => {
    expect(classifySendError({ code: "EENVELOPE", responseCode: 550, response: "550 5.1.1 User unknown" })).toEqual({
      permanent: true,
      reason: "EENVELOPE 550 5.1.1 User unknown",
    });
    expect(classifySendError({ code: "EMESSAGE", responseCode: 554, response: "554 rejected" }).permanent).toBe(true);
    expect(classifySendError({ code: "EPROTOCOL", responseCode: 503, response: "503 bad sequence" }).permanent).toBe(
      false,
    );
  });

  it("4xx replies, refused connections and timeouts are temporary", () => {
    expect(classifySendError({ code: "EENVELOPE", responseCode: 451, response: "451 try later" }).permanent).toBe(
      false,
    );
    expect(classifySendError({ code: "EENVELOPE", responseCode: 421, response: "421 closing" }).permanent).toBe(false);
    expect(classifySendError({ code: "ESOCKET", message: "connect ECONNREFUSED 127.0.0.1:1" }).permanent).toBe(false);
    expect(classifySendError({ code: "ETIMEDOUT", message: "Greeting never received" }).permanent).toBe(false);
    expect(classifySendError(new Error("anything else")).permanent).toBe(false);
  });

  it("authentication and TLS failures are ours to fix, so retried even when the reply is 5xx", () => {
    expect(classifySendError({ code: "EAUTH", responseCode: 535, response: "535 bad credentials" }).permanent).toBe(
      false,
    );
    expect(classifySendError({ code: "ETLS", message: "handshake failed" }).permanent).toBe(false);
  });

  it("an envelope that cannot be built (no valid recipient) is permanent", () => {
    expect(classifySendError({ code: "EENVELOPE", message: "No recipients defined" }).permanent).toBe(true);
  });

  it("keeps the reason on one line", () => {
    expect(classifySendError({ code: "EMESSAGE", responseCode: 550, response: "550 a\r\n550 b" }).reason).toBe(
      "EMESSAGE 550 a 550 b",
    );
  });
});
