// The tutor's prompt after a lesson: "How was your session with <attendee>?", to the review form.
import { Button, EmailLayout, Footer, Heading, Paragraph } from "./components";
import { footerWords, lessonWords, oneLine, type EmailProps } from "./content";
import { textEmail } from "./text";

function words({ input, now }: EmailProps) {
  const w = lessonWords(input, now);
  return {
    w,
    heading: `How was your session with ${w.attendee}?`,
    lead: `${w.service}, ${w.when}, ${w.zone}.`,
    summary: input.record ? oneLine(input.record.outcomeSummary, 300) : "",
    ask: `A few words and a rating help ${w.attendee} and their family see how it went.`,
  };
}

export function ReviewPromptEmail(props: EmailProps) {
  const { w, heading, lead, summary, ask } = words(props);
  return (
    <EmailLayout
      title={heading}
      preheader={ask}
      footer={<Footer {...footerWords(props.input, w)} links={props.links} />}
    >
      <Paragraph>Hi {w.recipient},</Paragraph>
      <Heading>{heading}</Heading>
      <Paragraph>{lead}</Paragraph>
      {summary ? <Paragraph>{summary}</Paragraph> : null}
      <Paragraph>{ask}</Paragraph>
      <Button href={props.links.reviewUrl}>Leave a review</Button>
    </EmailLayout>
  );
}

export function reviewPromptText(props: EmailProps): string {
  const { w, heading, lead, summary, ask } = words(props);
  return textEmail({
    greeting: `Hi ${w.recipient},`,
    heading,
    paragraphs: [lead, summary, ask].filter(Boolean),
    action: { label: "Leave a review", href: props.links.reviewUrl },
    footer: { ...footerWords(props.input, w), links: props.links },
  });
}
