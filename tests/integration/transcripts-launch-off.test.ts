// LESSONSPACE_TRANSCRIBE=false (organisations without the add-on): no transcribe, no webhook for it.
import { describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.LESSONSPACE_TRANSCRIBE = "false";
});

import { testStandIns } from "../support/stand-ins.ts";
import { createFamily, createOpenLesson, lastLaunchBody, postLaunchForm } from "./launch-support.ts";

describe("with LESSONSPACE_TRANSCRIBE=false", () => {
  it("a launch sends transcribe: false and no transcription.finish webhook, and the space has transcription off", async () => {
    const family = await createFamily();
    const lesson = await createOpenLesson(family);
    expect((await postLaunchForm(lesson.id, family.cookies.tutor)).status).toBe(303);
    const body = lastLaunchBody(lesson.id);
    expect(body.transcribe).toBe(false);
    // A summary is made from the transcript: asking for one would be refused.
    expect(body.summarise).toBe(false);
    expect(body.webhooks).not.toHaveProperty("transcription");
    expect(testStandIns.lessonspace.spaces.get(`booking-${lesson.id}`)!.transcribe).toBe(false);
  });
});
