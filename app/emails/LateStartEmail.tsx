// The late-start alerts (docs/decisions/0078-late-start-alerts.md), sent a few
// minutes after the start: to a tutor who has not joined ("Your lesson with … started 5 minutes ago"),
// to the family that the tutor has been reminded, and to a learner the tutor is waiting for. Every
// button goes to our booking page, where the Join Lesson button is.
import { Button, Details, EmailLayout, Footer, Heading, Paragraph } from "./components";
import { footerWords, lessonDetails, lessonWords, startedAgo, type EmailProps } from "./content";
import { textEmail } from "./text";

function words({ input, now }: EmailProps) {
  const w = lessonWords(input, now);
  const capital = w.lesson.charAt(0).toUpperCase() + w.lesson.slice(1);
  const ago = startedAgo(input.booking.sessionStartTime, now);
  switch (input.kind) {
    case "tutor_reminded":
      return {
        w,
        heading: `${w.tutor} has not joined yet`,
        lead: `${capital} started at ${w.startTime}, and ${w.tutor} is not in the classroom yet. We have reminded them by e-mail.`,
        after: "Keep the classroom open: the lesson starts as soon as they join. The lesson page shows who is in.",
        action: "Open the lesson",
      };
    case "learner_late":
      return {
        w,
        heading: `${w.tutor} is waiting in the classroom`,
        lead: `${capital} started ${ago}. ${w.tutor} is in the classroom and waiting for ${w.lesson.startsWith("your") ? "you" : w.attendee}.`,
        after: "Press Join Lesson on the lesson page to go in.",
        action: "Join Lesson",
      };
    default:
      return {
        w,
        heading: "Your lesson has started",
        lead: input.lateStart?.learnerJoined
          ? `${capital} started ${ago} and they are waiting.`
          : `${capital} started ${ago}, and you have not joined yet.`,
        after: "Press Join Lesson on the lesson page to go in. We have let the family know you have been reminded.",
        action: "Join Lesson",
      };
  }
}

export function LateStartEmail(props: EmailProps) {
  const { w, heading, lead, after, action } = words(props);
  return (
    <EmailLayout
      title={heading}
      preheader={lead}
      footer={<Footer {...footerWords(props.input, w)} links={props.links} />}
    >
      <Paragraph>Hi {w.recipient},</Paragraph>
      <Heading>{heading}</Heading>
      <Paragraph>{lead}</Paragraph>
      <Details rows={lessonDetails(w)} />
      <Button href={props.links.bookingUrl}>{action}</Button>
      <Paragraph muted>{after}</Paragraph>
    </EmailLayout>
  );
}

export function lateStartText(props: EmailProps): string {
  const { w, heading, lead, after, action } = words(props);
  return textEmail({
    greeting: `Hi ${w.recipient},`,
    heading,
    paragraphs: [lead],
    details: lessonDetails(w),
    action: { label: action, href: props.links.bookingUrl },
    afterAction: [after],
    footer: { ...footerWords(props.input, w), links: props.links },
  });
}
