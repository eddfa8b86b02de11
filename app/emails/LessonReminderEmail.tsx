// The day-before reminder and the "classroom is open" reminder: the lesson in the recipient's zone
// and a big Join Lesson button to our booking page (the join window is enforced there).
import { Button, Details, EmailLayout, Footer, Heading, Paragraph } from "./components";
import { footerWords, JOIN_WINDOW_NOTE, lessonDetails, lessonWords, type EmailProps } from "./content";
import { textEmail } from "./text";

type ReminderKind = "reminder_day_before" | "reminder_classroom_open";

function words({ input, now }: EmailProps) {
  const w = lessonWords(input, now);
  const capital = w.lesson.charAt(0).toUpperCase() + w.lesson.slice(1);
  const dayBefore = input.kind === ("reminder_day_before" satisfies ReminderKind);
  // Sent late (an outage, a retry), the classroom-open reminder must not promise a start to come.
  const starts = now.getTime() > input.booking.sessionStartTime.getTime() ? "started" : "starts";
  return {
    w,
    heading: dayBefore ? `${capital} is ${w.relativeDay}` : "The classroom is open",
    lead: dayBefore
      ? `${capital} starts ${w.relativeDay} at ${w.startTime}.`
      : `${capital} ${starts} at ${w.startTime}. You can join now.`,
    preheader: dayBefore ? `${w.service}, ${w.when}` : `${w.service} ${starts} at ${w.startTime}`,
  };
}

export function LessonReminderEmail(props: EmailProps) {
  const { w, heading, lead, preheader } = words(props);
  const footer = footerWords(props.input, w);
  return (
    <EmailLayout title={heading} preheader={preheader} footer={<Footer {...footer} links={props.links} />}>
      <Paragraph>Hi {w.recipient},</Paragraph>
      <Heading>{heading}</Heading>
      <Paragraph>{lead}</Paragraph>
      <Details rows={lessonDetails(w)} />
      <Button href={props.links.bookingUrl}>Join Lesson</Button>
      <Paragraph muted>{JOIN_WINDOW_NOTE}</Paragraph>
    </EmailLayout>
  );
}

export function lessonReminderText(props: EmailProps): string {
  const { w, heading, lead } = words(props);
  return textEmail({
    greeting: `Hi ${w.recipient},`,
    heading,
    paragraphs: [lead],
    details: lessonDetails(w),
    action: { label: "Join Lesson", href: props.links.bookingUrl },
    afterAction: [JOIN_WINDOW_NOTE],
    footer: { ...footerWords(props.input, w), links: props.links },
  });
}
