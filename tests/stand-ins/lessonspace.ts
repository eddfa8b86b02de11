// Local stand-in for Lessonspace (docs/decisions/0027-stand-ins-for-outside-services.md): a real HTTP server on loopback
// that speaks the documented contract, so dev mode, integration tests and Playwright run the
// whole launch → classroom → webhooks → recording loop on one machine. Only URL and key differ.
export { startLessonspaceStandIn } from "./lessonspace/server";
export type {
  ApiCall,
  Fault,
  FaultKind,
  LaunchRecord,
  LessonspaceStandIn,
  LessonspaceStandInOptions,
  TranscriptFault,
} from "./lessonspace/server";
export { signWebhook } from "./lessonspace/crypto";
export type {
  Participant,
  PastSessionInput,
  SessionState,
  SpaceState,
  Utterance,
  Visit,
  WebhookUrls,
} from "./lessonspace/spaces";
export type { WebhookDelivery, WebhookEventName } from "./lessonspace/webhooks";
