// Spaces and sessions as Lessonspace models them: a space (one per launch id) lives forever;
// a session starts when the first person joins and ends when the last one leaves
// (or someone presses "End lesson"). Every change queues the documented webhooks.
import { randomUUID } from "node:crypto";
import type { ClientTokenClaims } from "./crypto";
import { newSecret } from "./crypto";
import type { WebhookDispatcher, WebhookEventName } from "./webhooks";

/** Webhook URLs as given at launch: {session: {start, end}, user: {join, leave}, …}. */
export type WebhookUrls = Record<string, Record<string, string | null | undefined> | null | undefined>;

export interface Visit {
  joinedAt: Date;
  leftAt: Date | null;
}

export interface Participant {
  key: string; // our user id, or "guest:<gid>" for a guest link
  userId: string | null;
  lessonspaceUserId: number;
  name: string;
  email: string | null;
  leader: boolean;
  visits: Visit[];
}

/** One thing a participant "said" in the classroom (typed into the say form). */
export interface Utterance {
  userId: string | null;
  lessonspaceUserId: number;
  name: string;
  startSeconds: number; // from the session start
  endSeconds: number;
  breakoutId: string | null;
  text: string;
}

export interface SessionState {
  id: string;
  roomId: string;
  launchId: string;
  name: string;
  startTime: Date;
  endTime: Date | null;
  recordingEnabled: boolean;
  participants: Map<string, Participant>; // everyone who joined during the session
  present: Set<string>; // participant keys in the room now
  transcribed: boolean; // whether transcription was on when the session started
  summarised: boolean; // whether summarise was on when the session started
  utterances: Utterance[];
}

export interface SpaceState {
  launchId: string;
  roomId: string;
  secret: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  webhooks: WebhookUrls;
  recordAv: boolean | null;
  recordContent: boolean | null;
  allowGuests: boolean | null;
  transcribe: boolean; // per launch: a launch that omits it switches transcription off
  summarise: boolean; // per launch, like transcribe
  /** Every launch's flags in order, so tests can tell what each launch asked for. */
  launchFlags: { at: Date; recordAv: boolean | null; transcribe: boolean; summarise: boolean }[];
  timeouts: { not_before: string | null; not_after: string | null } | null; // from the latest launch
  sessions: SessionState[];
  activeSession: SessionState | null;
  nextSessionId: string; // what launch answers as session_id until a session starts
}

export interface LaunchInput {
  id: string;
  name?: string | null;
  user?: { id: string; name: string; email?: string | null; leader?: boolean } | null;
  timeouts?: { not_before?: string | null; not_after?: string | null } | null;
  record_av?: boolean;
  record_content?: boolean;
  allow_guests?: boolean;
  transcribe?: boolean;
  summarise?: boolean;
  webhooks?: WebhookUrls | null;
}

/** A finished session to store without webhooks (SpaceRegistry.recordPastSession). */
export interface PastSessionInput {
  launchId: string;
  name: string;
  sessionId: string;
  startTime: Date;
  endTime: Date;
  /** Who was there (the whole session) and what they said, seconds from its start. */
  people?: { userId: string; name: string; leader?: boolean }[];
  utterances?: { userId: string; name: string; startSeconds: number; endSeconds: number; text: string }[];
  /** Whether summarise (and so transcribe) was on. Default false. */
  summarise?: boolean;
}

/** Publishes a finished session's transcript and answers its download URL (server.ts). */
export type TranscriptPublisher = (session: SessionState) => string;

/** Lessonspace timestamps: ISO 8601 in UTC, whole seconds. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function participantKey(claims: Pick<ClientTokenClaims, "uid" | "gid">): string {
  return claims.uid ?? `guest:${claims.gid}`;
}

export class SpaceRegistry {
  readonly spaces = new Map<string, SpaceState>(); // launch id -> space
  private byRoom = new Map<string, SpaceState>();
  private lessonspaceUserIds = new Map<string, number>();
  private nextLessonspaceUserId = 1001;
  private endTimers = new Map<string, NodeJS.Timeout>();

  /** Set by server.ts: serves a finished session's transcript file and answers its URL. */
  publishTranscript: TranscriptPublisher | null = null;

  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly now: () => Date,
    private readonly sessionEndDelayMs: number,
  ) {}

  /**
   * A participant present in the active session "says" something: recorded with their ids and the
   * offset from the session start. It lasts `seconds` from now (default: about 0.4 s a word).
   */
  say(space: SpaceState, claims: ClientTokenClaims, text: string, seconds?: number): Utterance | null {
    const session = space.activeSession;
    const key = participantKey(claims);
    const participant = session?.participants.get(key);
    if (!session || !participant || !session.present.has(key)) return null;
    const startSeconds = Math.max(0, (this.now().getTime() - session.startTime.getTime()) / 1000);
    const words = text.trim().split(/\s+/).filter(Boolean).length;
    const length = seconds ?? Math.max(1, Math.round(words * 0.4 * 10) / 10);
    const utterance: Utterance = {
      userId: participant.userId,
      lessonspaceUserId: participant.lessonspaceUserId,
      name: participant.name,
      startSeconds,
      endSeconds: startSeconds + length,
      breakoutId: null,
      text: text.trim(),
    };
    session.utterances.push(utterance);
    return utterance;
  }

  /** Get or create the space for this launch id. Synchronous, so concurrent first launches converge. */
  launch(input: LaunchInput): { space: SpaceState; created: boolean; lessonspaceUserId: number } {
    const at = this.now();
    let space = this.spaces.get(input.id);
    const created = space === undefined;
    if (space === undefined) {
      space = {
        launchId: input.id,
        roomId: randomUUID(),
        secret: newSecret(),
        name: input.name ?? input.id,
        createdAt: at,
        updatedAt: at,
        webhooks: {},
        recordAv: null,
        recordContent: null,
        allowGuests: null,
        transcribe: false,
        summarise: false,
        launchFlags: [],
        timeouts: null,
        sessions: [],
        activeSession: null,
        nextSessionId: randomUUID(),
      };
      this.spaces.set(space.launchId, space);
      this.byRoom.set(space.roomId, space);
    } else if (input.name !== undefined) {
      space.name = input.name ?? "";
    }
    // Sending webhooks replaces the whole set; leaving the property out keeps them.
    if (input.webhooks !== undefined) space.webhooks = input.webhooks ?? {};
    if (input.record_av !== undefined) space.recordAv = input.record_av;
    if (input.record_content !== undefined) space.recordContent = input.record_content;
    if (input.allow_guests !== undefined) space.allowGuests = input.allow_guests;
    // Like Lessonspace: transcription is applied per launch, and leaving it out switches it off.
    space.transcribe = input.transcribe === true;
    space.summarise = input.summarise === true;
    space.launchFlags.push({ at, recordAv: space.recordAv, transcribe: space.transcribe, summarise: space.summarise });
    space.timeouts = input.timeouts
      ? { not_before: input.timeouts.not_before ?? null, not_after: input.timeouts.not_after ?? null }
      : null;
    space.updatedAt = at;
    return { space, created, lessonspaceUserId: this.lessonspaceUserId(input.user?.id ?? null) };
  }

  private lessonspaceUserId(userId: string | null): number {
    if (userId === null) return this.nextLessonspaceUserId++;
    let id = this.lessonspaceUserIds.get(userId);
    if (id === undefined) {
      id = this.nextLessonspaceUserId++;
      this.lessonspaceUserIds.set(userId, id);
    }
    return id;
  }

  /**
   * A session that already happened, for demo data and tests: the space is created (or reused) and
   * the finished session stored without sending any webhook, so its playback can be fetched, and,
   * with `summarise`, its summary (from who was there and what they said).
   */
  recordPastSession(input: PastSessionInput): SpaceState {
    const { space } = this.launch({ id: input.launchId, name: input.name });
    if (!space.sessions.some((session) => session.id === input.sessionId)) {
      const participants = new Map<string, Participant>();
      for (const person of input.people ?? []) {
        participants.set(person.userId, {
          key: person.userId,
          userId: person.userId,
          lessonspaceUserId: this.lessonspaceUserId(person.userId),
          name: person.name,
          email: null,
          leader: person.leader ?? false,
          visits: [{ joinedAt: input.startTime, leftAt: input.endTime }],
        });
      }
      space.sessions.push({
        id: input.sessionId,
        roomId: space.roomId,
        launchId: space.launchId,
        name: space.name,
        startTime: input.startTime,
        endTime: input.endTime,
        recordingEnabled: true,
        participants,
        present: new Set(),
        transcribed: input.summarise ?? false,
        summarised: input.summarise ?? false,
        utterances: (input.utterances ?? []).map((u) => ({
          ...u,
          lessonspaceUserId: this.lessonspaceUserId(u.userId),
          breakoutId: null,
        })),
      });
    }
    return space;
  }

  byRoomId(roomId: string): SpaceState | undefined {
    return this.byRoom.get(roomId);
  }

  currentSessionId(space: SpaceState): string {
    return space.activeSession?.id ?? space.nextSessionId;
  }

  allSessions(): SessionState[] {
    return [...this.spaces.values()].flatMap((s) => s.sessions);
  }

  findSession(id: string): { space: SpaceState; session: SessionState } | undefined {
    for (const space of this.spaces.values()) {
      const session = space.sessions.find((s) => s.id === id);
      if (session) return { space, session };
    }
    return undefined;
  }

  isPresent(space: SpaceState, claims: ClientTokenClaims): boolean {
    return space.activeSession?.present.has(participantKey(claims)) ?? false;
  }

  /** Opening the classroom: starts a session when nobody is in, then announces the user. */
  join(space: SpaceState, claims: ClientTokenClaims): SessionState {
    const at = this.now();
    this.cancelScheduledEnd(space);
    let session = space.activeSession;
    if (session === null) {
      session = {
        id: space.nextSessionId,
        roomId: space.roomId,
        launchId: space.launchId,
        name: space.name,
        startTime: at,
        endTime: null,
        recordingEnabled: space.recordAv !== false || space.recordContent !== false,
        participants: new Map(),
        present: new Set(),
        transcribed: space.transcribe,
        summarised: space.summarise,
        utterances: [],
      };
      space.activeSession = session;
      space.sessions.push(session);
      space.nextSessionId = randomUUID();
      this.emit(space, "session", "start", at, {
        event: "session.start",
        room: { id: space.roomId },
        session: { id: session.id, start_time: isoSeconds(at) },
        timestamp: isoSeconds(at),
      });
    }
    const key = participantKey(claims);
    if (session.present.has(key)) return session;
    let participant = session.participants.get(key);
    if (participant === undefined) {
      participant = {
        key,
        userId: claims.uid,
        lessonspaceUserId: claims.lsuid,
        name: claims.name,
        email: claims.email,
        leader: claims.leader,
        visits: [],
      };
      session.participants.set(key, participant);
    }
    participant.visits.push({ joinedAt: at, leftAt: null });
    session.present.add(key);
    this.emitUser(space, session, "join", participant, at);
    return session;
  }

  /** Pressing "Leave": announces it; the last one out ends the session. */
  leave(space: SpaceState, claims: ClientTokenClaims): void {
    const session = space.activeSession;
    const key = participantKey(claims);
    if (session === null || !session.present.has(key)) return;
    this.removeParticipant(space, session, key, this.now());
    if (session.present.size > 0) return;
    if (this.sessionEndDelayMs <= 0) {
      this.finish(space, session);
      return;
    }
    const timer = setTimeout(() => {
      this.endTimers.delete(space.launchId);
      if (space.activeSession === session && session.present.size === 0) this.finish(space, session);
    }, this.sessionEndDelayMs);
    timer.unref();
    this.endTimers.set(space.launchId, timer);
  }

  /** Pressing "End lesson": everyone still present leaves, then the session ends. */
  end(space: SpaceState): void {
    const session = space.activeSession;
    if (session === null) return;
    this.cancelScheduledEnd(space);
    const at = this.now();
    for (const key of [...session.present]) this.removeParticipant(space, session, key, at);
    this.finish(space, session);
  }

  clearTimers(): void {
    for (const t of this.endTimers.values()) clearTimeout(t);
    this.endTimers.clear();
  }

  clear(): void {
    this.clearTimers();
    this.spaces.clear();
    this.byRoom.clear();
    this.lessonspaceUserIds.clear();
  }

  private cancelScheduledEnd(space: SpaceState): void {
    const timer = this.endTimers.get(space.launchId);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.endTimers.delete(space.launchId);
    }
  }

  private removeParticipant(space: SpaceState, session: SessionState, key: string, at: Date): void {
    const participant = session.participants.get(key);
    session.present.delete(key);
    if (participant === undefined) return;
    const visit = participant.visits.at(-1);
    if (visit && visit.leftAt === null) visit.leftAt = at;
    this.emitUser(space, session, "leave", participant, at);
  }

  private finish(space: SpaceState, session: SessionState): void {
    const at = this.now();
    session.endTime = at;
    space.activeSession = null;
    this.emit(space, "session", "end", at, {
      event: "session.end",
      room: { id: space.roomId },
      session: { id: session.id, start_time: isoSeconds(session.startTime), end_time: isoSeconds(at) },
      recording: { available: session.recordingEnabled },
    });
    // Lessonspace transcribes sessions of two or more people; the file follows session.end.
    if (session.transcribed && session.participants.size >= 2 && this.publishTranscript) {
      const url = this.publishTranscript(session);
      this.emit(space, "transcription", "finish", at, {
        event: "transcription.finish",
        room: { id: space.roomId },
        session: { id: session.id },
        transcription: { url },
        timestamp: isoSeconds(at),
      });
    }
  }

  private emitUser(space: SpaceState, session: SessionState, action: "join" | "leave", p: Participant, at: Date): void {
    this.emit(space, "user", action, at, {
      event: `user.${action}`,
      room: { id: space.roomId },
      session: { id: session.id },
      user: { id: p.userId ?? String(p.lessonspaceUserId), name: p.name, leader: p.leader },
      timestamp: isoSeconds(at),
    });
  }

  private emit(space: SpaceState, group: string, action: string, at: Date, payload: unknown): void {
    const url = space.webhooks[group]?.[action];
    if (!url) return;
    this.dispatcher.enqueue(space.launchId, {
      url,
      event: `${group}.${action}` as WebhookEventName,
      roomId: space.roomId,
      secret: space.secret,
      timestamp: isoSeconds(at),
      payload,
    });
  }
}
