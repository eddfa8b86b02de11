import type { LessonspaceStandIn } from "../stand-ins/lessonspace.ts";
import type { SmtpStandIn } from "../stand-ins/smtp.ts";
import type { SupabaseStandIn } from "../stand-ins/supabase.ts";

/** The current test file's stand-ins, started by per-file-stand-ins.ts. */
export const testStandIns = {} as { supabase: SupabaseStandIn; lessonspace: LessonspaceStandIn; smtp: SmtpStandIn };
