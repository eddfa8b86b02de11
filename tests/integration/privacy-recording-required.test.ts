// RECORDING_REQUIRED=true (safeguarding, docs/decisions/0070-consent-per-learner.md): every lesson is
// recorded whatever the family chose; the family chooses transcription and summaries only.
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.RECORDING_REQUIRED = "true";
});

import { db } from "~/.server/db";
import * as privacyRoute from "~/routes/students.$id.privacy";
import { callAction, callLoader } from "../support/app.ts";
import { createFamily, createOpenLesson, lastLaunchBody, postLaunchForm } from "./launch-support.ts";

describe("with RECORDING_REQUIRED=true", () => {
  it("the page says recording is required, a choice without it still stores recording on, and launches record", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    const path = `/students/${family.child.id}/privacy`;
    const page = await callLoader(privacyRoute, path, {
      cookie: family.cookies.parent,
      params: { id: family.child.id },
    });
    expect(page.data).toMatchObject({ recordingRequired: true, consent: { recording: true } });

    // The recording box is not sent (it is shown ticked and disabled): a transcript is still allowed.
    const saved = await callAction(privacyRoute, path, {
      cookie: family.cookies.parent,
      params: { id: family.child.id },
      form: { transcription: "on" },
    });
    expect(saved.status).toBe(302);
    expect(await db.learnerConsent.findUnique({ where: { learnerId: family.child.id } })).toMatchObject({
      recording: true,
      transcription: true,
      summaries: false,
    });
    await postLaunchForm(lesson.id, family.cookies.tutor);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: true, transcribe: true, summarise: false });
  });

  it("a stored 'no recording' from before the requirement still records, and keeps nothing more", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    await db.learnerConsent.create({
      data: { learnerId: family.child.id, recording: false, transcription: false, summaries: false },
    });
    await postLaunchForm(lesson.id, family.cookies.tutor);
    expect(lastLaunchBody(lesson.id)).toMatchObject({ record_av: true, transcribe: false, summarise: false });
  });
});
