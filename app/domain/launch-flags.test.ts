import { describe, expect, it } from "vitest";
import { launchFlagsOf, roomSettingsMismatch } from "./launch-flags";

describe("launchFlagsOf", () => {
  it("records, transcribes and summarises where the deployment transcribes", () => {
    expect(launchFlagsOf({ deployment: { transcription: true } })).toEqual({
      recordAv: true,
      transcribe: true,
      summarise: true,
    });
  });

  it("neither transcribes nor summarises without transcription: a summary is made from a transcript", () => {
    expect(launchFlagsOf({ deployment: { transcription: false } })).toEqual({
      recordAv: true,
      transcribe: false,
      summarise: false,
    });
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
