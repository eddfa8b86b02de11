import { index, route, type RouteConfig } from "@react-router/dev/routes";

export default [
  index("routes/dashboard.tsx"),
  route("sign-in", "routes/sign-in.tsx"),
  route("sign-out", "routes/sign-out.tsx"),
  route("settings/time-zone", "routes/settings.time-zone.tsx"),
  route("bookings/:id", "routes/bookings.$id.tsx"),
  route("bookings/:id/student", "routes/bookings.$id.student.tsx"),
  route("bookings/:id/classroom", "routes/bookings.$id.classroom.tsx"),
  route("bookings/:id/recording", "routes/bookings.$id.recording.ts"),
  route("bookings/:id/snapshot", "routes/bookings.$id.snapshot.ts"),
  route("bookings/:id/snapshot/upload", "routes/bookings.$id.snapshot.upload.tsx"),
  route("bookings/:id/review", "routes/bookings.$id.review.tsx"),
  route("bookings/:id/transcript", "routes/bookings.$id.transcript.tsx"),
  route("transcripts/search", "routes/transcripts.search.tsx"),
  route("students/:id/record", "routes/students.$id.record.tsx"),
  route("api/bookings/:id/launch", "routes/api.bookings.$id.launch.tsx"),
  route("api/webhooks/lessonspace", "routes/api.webhooks.lessonspace.ts"),
  route("healthz", "routes/healthz.ts"),
  route("*", "routes/not-found.tsx"),
] satisfies RouteConfig;
