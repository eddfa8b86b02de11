/**
 * What a family lets the service keep of a learner's lessons (docs/decisions/0070-consent-per-learner.md):
 * recording (audio and video), transcription (needs recording) and summaries (need transcription).
 * A learner is a child when they have an ACTIVE guardian; the child's guardians decide for them, an
 * adult decides for themself. No stored choice means the deployment's defaults. Pure.
 */

export type Consent = { recording: boolean; transcription: boolean; summaries: boolean };

export type ConsentKind = keyof Consent;

export const CONSENT_KINDS: readonly ConsentKind[] = ["recording", "transcription", "summaries"];

/** The deployment's defaults (environment) and whether it requires recording for safeguarding. */
export type ConsentPolicy = {
  recordingRequired: boolean;
  child: Consent;
  adult: Consent;
};

export type LearnerAge = "child" | "adult";

/** A child is a learner with at least one ACTIVE guardian; everyone else decides for themself. */
export function learnerAgeOf(hasActiveGuardian: boolean): LearnerAge {
  return hasActiveGuardian ? "child" : "adult";
}

/**
 * The consent that applies: the stored choice, or the defaults for the learner's age; recording is
 * on where the deployment requires it, and each choice is off when the one it needs is off.
 */
export function effectiveConsent(stored: Consent | null, age: LearnerAge, policy: ConsentPolicy): Consent {
  const chosen = stored ?? policy[age];
  const recording = policy.recordingRequired || chosen.recording;
  const transcription = recording && chosen.transcription;
  return { recording, transcription, summaries: transcription && chosen.summaries };
}

/** Each refused choice and what to say beside it: a choice needs the one before it. */
export type ConsentProblems = Partial<Record<ConsentKind, string>>;

export const CONSENT_NEEDS: Record<"transcription" | "summaries", string> = {
  transcription: "Transcripts need recording: switch recording on to keep a transcript.",
  summaries: "Summaries need transcripts: switch transcription on to keep a summary.",
};

/**
 * Checks what a form asked for (recording is taken as on when required), and answers either the
 * choice to store or the problems. Nothing is switched on or off silently.
 */
export function checkConsentChoice(
  asked: Consent,
  recordingRequired: boolean,
): { ok: true; consent: Consent } | { ok: false; problems: ConsentProblems } {
  const recording = recordingRequired || asked.recording;
  const problems: ConsentProblems = {};
  if (asked.transcription && !recording) problems.transcription = CONSENT_NEEDS.transcription;
  if (asked.summaries && !asked.transcription) problems.summaries = CONSENT_NEEDS.summaries;
  if (Object.keys(problems).length) return { ok: false, problems };
  return { ok: true, consent: { recording, transcription: asked.transcription, summaries: asked.summaries } };
}

/** One sentence each on what a choice means, for the settings page. */
export const CONSENT_LABELS: Record<ConsentKind, { title: string; description: string }> = {
  recording: {
    title: "Record lessons (audio and video)",
    description: "The lesson's audio and video are kept so the family and the tutor can watch it again.",
  },
  transcription: {
    title: "Keep a transcript",
    description: "What was said is written down, so it can be read and searched and talk time can be shown.",
  },
  summaries: {
    title: "Let the tutor draft from a summary",
    description: "Lessonspace writes a short summary from the transcript, which only the tutor sees as a draft.",
  },
};

/**
 * What a lesson's participants are told when the family's choice leaves something out, or null
 * when everything the deployment offers is kept. `transcriptionOffered` is false for deployments
 * without Lessonspace's transcription add-on (then no transcript is not the family's doing).
 */
export function consentNotice(consent: Consent, transcriptionOffered: boolean): string | null {
  if (!consent.recording) return "This lesson is not recorded, at the family's request.";
  if (transcriptionOffered && !consent.transcription)
    return "This lesson is recorded but not transcribed, at the family's request.";
  return null;
}
