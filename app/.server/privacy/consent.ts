import { data } from "react-router";
import {
  consentNotice,
  effectiveConsent,
  learnerAgeOf,
  type Consent,
  type ConsentPolicy,
  type LearnerAge,
} from "~/domain/consent";
import { launchFlagsOf, type LaunchFlags } from "~/domain/launch-flags";
import { isUuid } from "~/domain/uuid";
import { activeGuardianEdgeWhere } from "../bookings/visibility";
import { db, sql } from "../db";
import { env } from "../env";
import {
  launchConsentSql,
  learnerConsentSql,
  learnerLessonLiveSql,
  type LaunchConsentRow,
  type LearnerConsentRow,
  type LessonLiveRow,
} from "./consent-sql";

/**
 * Consent per learner (docs/decisions/0070-consent-per-learner.md): who may read and change it,
 * what applies, and the flags a launch sends. The rules are app/domain/consent.ts and
 * app/domain/launch-flags.ts; this module loads and stores.
 */

/** The deployment's defaults and safeguarding switch, from the environment. */
export function consentPolicy(): ConsentPolicy {
  const config = env();
  return {
    recordingRequired: config.RECORDING_REQUIRED,
    child: {
      recording: config.CONSENT_DEFAULT_RECORDING,
      transcription: config.CONSENT_DEFAULT_TRANSCRIPTION_CHILD,
      summaries: config.CONSENT_DEFAULT_SUMMARIES_CHILD,
    },
    adult: {
      recording: config.CONSENT_DEFAULT_RECORDING,
      transcription: config.CONSENT_DEFAULT_TRANSCRIPTION_ADULT,
      summaries: config.CONSENT_DEFAULT_SUMMARIES_ADULT,
    },
  };
}

function storedOf(row: LearnerConsentRow): Consent | null {
  if (row.recording === null || row.transcription === null || row.summaries === null) return null;
  return { recording: row.recording, transcription: row.transcription, summaries: row.summaries };
}

export type ConsentScope = {
  learner: { id: string; fullName: string };
  age: LearnerAge;
  /** An active guardian of a child, or the adult learner themself; a child reads their own only. */
  mayChange: boolean;
  stored: Consent | null;
};

/**
 * The learner's consent for this viewer: the learner themself, or one of their ACTIVE guardians.
 * Everyone else (tutors, other families, pending guardians) and any malformed id get the same 404
 * as a learner who does not exist.
 */
export async function requireConsentScope(learnerId: string | undefined, viewerId: string): Promise<ConsentScope> {
  if (!learnerId || !isUuid(learnerId)) throw notFound();
  const id = learnerId.toLowerCase();
  const [learner, guardian, [row]] = await Promise.all([
    db.profile.findUnique({ where: { id }, select: { id: true, fullName: true } }),
    id === viewerId
      ? null
      : db.profileGraph.findFirst({
          where: { ...activeGuardianEdgeWhere(viewerId), targetProfileId: id },
          select: { id: true },
        }),
    sql<LearnerConsentRow>(learnerConsentSql(id)),
  ]);
  if (!learner || !row || (id !== viewerId && !guardian)) throw notFound();
  const age = learnerAgeOf(row.has_active_guardian);
  return { learner, age, mayChange: guardian !== null || age === "adult", stored: storedOf(row) };
}

/** What applies to the learner now, and whether one of their lessons is live (a change then waits). */
export async function consentPageOf(scope: ConsentScope): Promise<{ effective: Consent; lessonInProgress: boolean }> {
  const [row] = await sql<LessonLiveRow>(learnerLessonLiveSql(scope.learner.id));
  return {
    effective: effectiveConsent(scope.stored, scope.age, consentPolicy()),
    lessonInProgress: row?.live ?? false,
  };
}

/** Stores the choice (already checked with checkConsentChoice) as the viewer's. */
export async function saveConsent(learnerId: string, consent: Consent, viewerId: string, now: Date): Promise<void> {
  const row = { ...consent, setById: viewerId, setAt: now };
  await db.learnerConsent.upsert({ where: { learnerId }, create: { learnerId, ...row }, update: row });
}

/** The consent that applies to a learner (the booking page's notice for everyone in the lesson). */
export async function effectiveConsentOf(learnerId: string): Promise<Consent> {
  const [row] = await sql<LearnerConsentRow>(learnerConsentSql(learnerId));
  const policy = consentPolicy();
  if (!row) return effectiveConsent(null, "adult", policy);
  return effectiveConsent(storedOf(row), learnerAgeOf(row.has_active_guardian), policy);
}

/**
 * The flags this launch of the booking's space sends: the learner's consent now, except while a
 * session is live, when the flags the room was launched with are sent again (Lessonspace applies
 * the last launch's flags to the whole space, so a change mid-lesson would cut its transcript).
 */
export async function launchFlagsForBooking(bookingId: string): Promise<LaunchFlags> {
  const [row] = await sql<LaunchConsentRow>(launchConsentSql(bookingId));
  const config = env();
  const policy = consentPolicy();
  const consent = row
    ? effectiveConsent(storedOf(row), learnerAgeOf(row.has_active_guardian), policy)
    : effectiveConsent(null, "adult", policy);
  const launched = row && launchedFlagsOf(row);
  if (row?.session_live && launched) return launched;
  return launchFlagsOf({
    consent,
    deployment: { transcription: config.LESSONSPACE_TRANSCRIBE, recordingRequired: config.RECORDING_REQUIRED },
  });
}

function launchedFlagsOf(row: LaunchConsentRow): LaunchFlags | null {
  const { launched_record_av: recordAv, launched_transcribe: transcribe, launched_summarise: summarise } = row;
  if (recordAv === null || transcribe === null || summarise === null) return null;
  return { recordAv, transcribe, summarise };
}

function notFound() {
  return data("Not found", { status: 404 });
}

/** What the lesson's people are told about the family's choice, from the consent that applies now. */
export async function consentNoticeFor(learnerId: string): Promise<string | null> {
  return consentNotice(await effectiveConsentOf(learnerId), env().LESSONSPACE_TRANSCRIBE);
}

/** The same, from the flags a room was launched with (the classroom page). */
export function consentNoticeOfFlags(flags: LaunchFlags): string | null {
  return consentNotice(
    { recording: flags.recordAv, transcription: flags.transcribe, summaries: flags.summarise },
    env().LESSONSPACE_TRANSCRIBE,
  );
}
