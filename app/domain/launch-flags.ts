import type { Consent } from "./consent";

/**
 * What a launch asks Lessonspace to keep of a lesson: its audio and video, a transcript, a summary
 * (docs/decisions/0019-every-launch-sends-the-full-settings.md,
 * docs/decisions/0070-consent-per-learner.md). The one place these are decided:
 * Lessonspace applies the last launch's flags to the whole space, so every launch of a space must
 * send the same answer, and a summary needs a transcript, which needs a recording.
 */
export type LaunchFlags = { recordAv: boolean; transcribe: boolean; summarise: boolean };

/**
 * What this deployment's Lessonspace organisation offers (`transcription`: the add-on), and
 * whether it requires recording for safeguarding whatever the family chose.
 */
export type DeploymentSwitches = { transcription: boolean; recordingRequired: boolean };

/** The flags for a launch, from the learner's consent (already made effective) and the deployment. */
export function launchFlagsOf({
  consent,
  deployment,
}: {
  consent: Consent;
  deployment: DeploymentSwitches;
}): LaunchFlags {
  const recordAv = deployment.recordingRequired || consent.recording;
  const transcribe = recordAv && consent.transcription && deployment.transcription;
  return { recordAv, transcribe, summarise: transcribe && consent.summaries };
}

/** The settings Lessonspace says a space will use (the launch answer's `room_settings`). */
export type RoomSettings = Partial<Record<"record_av" | "transcribe" | "summarise", boolean>>;

/**
 * The flags Lessonspace answered differently from what was asked (an organisation without the
 * add-on, say). Settings it did not mention are not counted: older answers leave them out.
 */
export function roomSettingsMismatch(asked: LaunchFlags, answered: RoomSettings | null): string[] {
  if (!answered) return [];
  const pairs: [keyof RoomSettings, boolean][] = [
    ["record_av", asked.recordAv],
    ["transcribe", asked.transcribe],
    ["summarise", asked.summarise],
  ];
  return pairs
    .filter(([name, value]) => answered[name] !== undefined && answered[name] !== value)
    .map(([name]) => name);
}
