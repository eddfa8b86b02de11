// The parent's lesson record: what happened (from attendance), whether the recording and the
// whiteboard snapshot exist, the reviews so far, and a button to the booking page.
import { Button, Details, EmailLayout, Footer, Heading, Paragraph } from "./components";
import { footerWords, lessonWords, multiLine, oneLine, ratingText, type EmailProps } from "./content";
import { textEmail } from "./text";

function words({ input, now }: EmailProps) {
  const w = lessonWords(input, now);
  const record = input.record;
  const reviews = (record?.reviews ?? []).map((review) => ({
    reviewer: oneLine(review.reviewerName),
    rating: ratingText(review.rating),
    comment: multiLine(review.comment),
  }));
  return {
    w,
    heading: `Lesson record: ${w.service}`,
    summary: oneLine(record?.outcomeSummary ?? "The lesson's outcome is not known yet.", 300),
    details: [
      { label: "Lesson", value: w.service },
      { label: "Tutor", value: w.tutor },
      { label: "When", value: `${w.when}, ${w.zone}` },
      { label: "Recording", value: record?.recordingAvailable ? "available on the lesson page" : "not available" },
      {
        label: "Whiteboard snapshot",
        value: record?.snapshotAvailable ? "available on the lesson page" : "not available",
      },
    ],
    reviews,
  };
}

export function LessonRecordEmail(props: EmailProps) {
  const { w, heading, summary, details, reviews } = words(props);
  return (
    <EmailLayout
      title={heading}
      preheader={summary}
      footer={<Footer {...footerWords(props.input, w)} links={props.links} />}
    >
      <Paragraph>Hi {w.recipient},</Paragraph>
      <Heading>{heading}</Heading>
      <Paragraph>
        <strong>{summary}</strong>
      </Paragraph>
      <Details rows={details} />
      <h2 style={{ fontSize: "18px", margin: "16px 0 8px", color: "#1a1a1a" }}>Reviews</h2>
      {reviews.length === 0 ? <Paragraph muted>No reviews yet.</Paragraph> : null}
      {reviews.map((review, index) => (
        <Paragraph key={index}>
          <strong>{review.reviewer}</strong> ({review.rating})
          {review.comment
            ? review.comment.split("\n").map((line, i) => (
                <span key={i}>
                  <br />
                  {line}
                </span>
              ))
            : null}
        </Paragraph>
      ))}
      <Button href={props.links.bookingUrl}>View the lesson</Button>
    </EmailLayout>
  );
}

export function lessonRecordText(props: EmailProps): string {
  const { w, heading, summary, details, reviews } = words(props);
  const reviewText = reviews.length
    ? [
        "Reviews:",
        ...reviews.map(
          (r) => `- ${r.reviewer} (${r.rating})${r.comment ? `\n  ${r.comment.replace(/\n/g, "\n  ")}` : ""}`,
        ),
      ].join("\n")
    : "Reviews: none yet.";
  return textEmail({
    greeting: `Hi ${w.recipient},`,
    heading,
    paragraphs: [summary],
    details,
    sections: [reviewText],
    action: { label: "View the lesson", href: props.links.bookingUrl },
    footer: { ...footerWords(props.input, w), links: props.links },
  });
}
