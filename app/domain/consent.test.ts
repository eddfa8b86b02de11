import { describe, expect, it } from "vitest";
import {
  checkConsentChoice,
  consentNotice,
  CONSENT_NEEDS,
  effectiveConsent,
  learnerAgeOf,
  type ConsentPolicy,
} from "./consent";

const policy: ConsentPolicy = {
  recordingRequired: false,
  child: { recording: true, transcription: false, summaries: false },
  adult: { recording: true, transcription: true, summaries: true },
};
const none = { recording: false, transcription: false, summaries: false };
const all = { recording: true, transcription: true, summaries: true };

describe("learnerAgeOf", () => {
  it("is a child with an active guardian, an adult without one", () => {
    expect(learnerAgeOf(true)).toBe("child");
    expect(learnerAgeOf(false)).toBe("adult");
  });
});

describe("effectiveConsent", () => {
  it("uses the defaults for the learner's age when nothing was chosen", () => {
    expect(effectiveConsent(null, "child", policy)).toEqual({
      recording: true,
      transcription: false,
      summaries: false,
    });
    expect(effectiveConsent(null, "adult", policy)).toEqual(all);
  });

  it("uses the stored choice over the defaults", () => {
    expect(effectiveConsent(none, "adult", policy)).toEqual(none);
    expect(effectiveConsent(all, "child", policy)).toEqual(all);
  });

  it("records when required, and keeps the family's other choices", () => {
    const required = { ...policy, recordingRequired: true };
    expect(effectiveConsent(none, "child", required)).toEqual({
      recording: true,
      transcription: false,
      summaries: false,
    });
    expect(effectiveConsent({ recording: false, transcription: true, summaries: true }, "child", required)).toEqual(
      all,
    );
  });

  it("switches off what a missing choice was needed for", () => {
    expect(effectiveConsent({ recording: false, transcription: true, summaries: true }, "adult", policy)).toEqual(none);
    expect(effectiveConsent({ recording: true, transcription: false, summaries: true }, "adult", policy)).toEqual({
      recording: true,
      transcription: false,
      summaries: false,
    });
  });
});

describe("checkConsentChoice", () => {
  it("accepts every chain of choices", () => {
    for (const asked of [none, { ...none, recording: true }, { ...all, summaries: false }, all])
      expect(checkConsentChoice(asked, false)).toEqual({ ok: true, consent: asked });
  });

  it("refuses a transcript without recording, saying why", () => {
    expect(checkConsentChoice({ recording: false, transcription: true, summaries: false }, false)).toEqual({
      ok: false,
      problems: { transcription: CONSENT_NEEDS.transcription },
    });
    expect(CONSENT_NEEDS.transcription).toMatch(/^Transcripts need recording/);
  });

  it("refuses a summary without a transcript, saying why", () => {
    expect(checkConsentChoice({ recording: true, transcription: false, summaries: true }, false)).toEqual({
      ok: false,
      problems: { summaries: CONSENT_NEEDS.summaries },
    });
  });

  it("takes recording as on when the deployment requires it", () => {
    expect(checkConsentChoice({ recording: false, transcription: true, summaries: true }, true)).toEqual({
      ok: true,
      consent: all,
    });
  });
});

describe("consentNotice", () => {
  it("tells the lesson's people what the family left out", () => {
    expect(consentNotice(none, true)).toBe("This lesson is not recorded, at the family's request.");
    expect(consentNotice({ ...none, recording: true }, true)).toBe(
      "This lesson is recorded but not transcribed, at the family's request.",
    );
  });

  it("says nothing when all that is offered is kept, or when transcription is not offered at all", () => {
    expect(consentNotice(all, true)).toBeNull();
    expect(consentNotice({ ...all, summaries: false }, true)).toBeNull();
    expect(consentNotice({ ...none, recording: true }, false)).toBeNull();
  });
});
