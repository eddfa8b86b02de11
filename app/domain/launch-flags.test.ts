import { describe, expect, it } from "vitest";
import { launchFlagsOf, roomSettingsMismatch } from "./launch-flags";

describe("launchFlagsOf", () => {
  // Every consent a family can store (each choice needs the one before) × the add-on × required recording.
  const consents = [
    { recording: false, transcription: false, summaries: false },
    { recording: true, transcription: false, summaries: false },
    { recording: true, transcription: true, summaries: false },
    { recording: true, transcription: true, summaries: true },
  ];
  const rows = consents.flatMap((consent) =>
    [true, false].flatMap((transcription) =>
      [true, false].map((recordingRequired) => ({ consent, deployment: { transcription, recordingRequired } })),
    ),
  );

  it.each(rows)("consent $consent with deployment $deployment", ({ consent, deployment }) => {
    const flags = launchFlagsOf({ consent, deployment });
    expect(flags.recordAv).toBe(consent.recording || deployment.recordingRequired);
    expect(flags.transcribe).toBe(flags.recordAv && consent.transcription && deployment.transcription);
    expect(flags.summarise).toBe(flags.transcribe && consent.summaries);
  });

  it("records, transcribes and summarises when the family agreed to all and the deployment transcribes", () => {
    expect(
      launchFlagsOf({
        consent: { recording: true, transcription: true, summaries: true },
        deployment: { transcription: true, recordingRequired: false },
      }),
    ).toEqual({ recordAv: true, transcribe: true, summarise: true });
  });

  it("neither transcribes nor summarises without the add-on, whatever the family agreed", () => {
    expect(
      launchFlagsOf({
        consent: { recording: true, transcription: true, summaries: true },
        deployment: { transcription: false, recordingRequired: false },
      }),
    ).toEqual({ recordAv: true, transcribe: false, summarise: false });
  });

  it("records when recording is required, even for a family that said no, and keeps nothing more", () => {
    expect(
      launchFlagsOf({
        consent: { recording: false, transcription: false, summaries: false },
        deployment: { transcription: true, recordingRequired: true },
      }),
    ).toEqual({ recordAv: true, transcribe: false, summarise: false });
  });

  it("never sends a summary without a transcript, nor a transcript without a recording", () => {
    expect(
      launchFlagsOf({
        consent: { recording: false, transcription: true, summaries: true },
        deployment: { transcription: true, recordingRequired: false },
      }),
    ).toEqual({ recordAv: false, transcribe: false, summarise: false });
    expect(
      launchFlagsOf({
        consent: { recording: true, transcription: false, summaries: true },
        deployment: { transcription: true, recordingRequired: false },
      }),
    ).toEqual({ recordAv: true, transcribe: false, summarise: false });
  });
});

describe("roomSettingsMismatch", () => {
  const asked = { recordAv: true, transcribe: true, summarise: true };

  it("names each flag Lessonspace answered differently", () => {
    expect(roomSettingsMismatch(asked, { record_av: true, transcribe: true, summarise: false })).toEqual(["summarise"]);
    expect(roomSettingsMismatch(asked, { record_av: false, transcribe: false, summarise: false })).toEqual([
      "record_av",
      "transcribe",
      "summarise",
    ]);
  });

  it("finds nothing when the answer agrees, leaves a flag out, or has no settings", () => {
    expect(roomSettingsMismatch(asked, { record_av: true, transcribe: true, summarise: true })).toEqual([]);
    expect(roomSettingsMismatch(asked, { record_av: true })).toEqual([]);
    expect(roomSettingsMismatch(asked, null)).toEqual([]);
  });
});
