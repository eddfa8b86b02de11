import { NOTIFICATION_KINDS, type NotificationKind } from "~/domain/notification-kinds";
import { db } from "../db";
import { isUuid } from "~/domain/uuid";

export type NotificationChoices = Record<NotificationKind, boolean>;

/** Every kind with the person's choice; a kind they never chose about is on. */
export async function notificationChoices(profileId: string): Promise<NotificationChoices> {
  const rows = await db.notificationPreference.findMany({
    where: { profileId },
    select: { kind: true, enabled: true },
  });
  const choices = Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, true])) as NotificationChoices;
  for (const row of rows) if (row.kind in choices) choices[row.kind as NotificationKind] = row.enabled;
  return choices;
}

/** Saves the person's choice for each kind given (others are left as they are), in one transaction. */
export async function saveNotificationChoices(profileId: string, choices: Partial<NotificationChoices>): Promise<void> {
  const entries = Object.entries(choices) as [NotificationKind, boolean][];
  await db.$transaction(
    entries.map(([kind, enabled]) =>
      db.notificationPreference.upsert({
        where: { profileId_kind: { profileId, kind } },
        create: { profileId, kind, enabled },
        update: { enabled },
      }),
    ),
  );
}

/**
 * Switches one kind off for one person (an unsubscribe link). Idempotent. False when the person
 * no longer exists (a deleted account's old e-mail), which changes nothing.
 */
export async function switchOffNotification(profileId: string, kind: NotificationKind): Promise<boolean> {
  if (!isUuid(profileId)) return false;
  const person = await db.profile.findUnique({ where: { id: profileId }, select: { id: true } });
  if (!person) return false;
  await db.notificationPreference.upsert({
    where: { profileId_kind: { profileId, kind } },
    create: { profileId, kind, enabled: false },
    update: { enabled: false },
  });
  return true;
}
