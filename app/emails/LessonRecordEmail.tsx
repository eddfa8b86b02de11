// The parent's lesson record: what happened (from attendance), whether the recording and the
// whiteboard snapshot exist, the reviews so far, and a button to the booking page.
import { Button, Details, EmailLayout, Footer, Heading, Paragraph } from "./components";
import { footerWords, lessonWords, multiLine, oneLine, ratingText, type EmailProps } from "./content";
import { textEmail } from "./text";
import { dueLabel, HOMEWORK_TEXT_MAX, NOTE_TEXT_MAX } from "~/domain/lesson-note";

function words({ input, now }: EmailProps) {
  const w = lessonWords(input, now);
  const record = input.record;
  const reviews = (record?.reviews ?? []).map((review) => ({
    reviewer: oneLine(review.reviewerName),
    rating: ratingText(review.rating),
    comment: multiLine(review.comment),
  }));
  // The tutor's words are text: React escapes them in the HTML, and line breaks stay line breaks.
  const note = record?.note
    ? {
        covered: multiLine(record.note.covered, NOTE_TEXT_MAX),
        homework: record.note.homework.map((item) => {
          const due = dueLabel(item.dueOn, now);
          return `${oneLine(item.text, HOMEWORK_TEXT_MAX)}${due ? ` (${due.replace("Due", "due")})` : ""}`;
        }),
      }
    : null;
  return {
    w,
    note,
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
  const { w, heading, summary, details, reviews, note } = words(props);
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
      {note ? (
        <>
          <h2 style={{ fontSize: "18px", margin: "16px 0 8px", color: "#1a1a1a" }}>What we covered</h2>
          {note.covered ? (
            <Paragraph>
              {note.covered.split("\n").map((line, i) => (
                <span key={i}>
                  {i > 0 ? <br /> : null}
                  {line}
                </span>
              ))}
            </Paragraph>
          ) : null}
          {note.homework.length > 0 ? (
            <>
              <h2 style={{ fontSize: "18px", margin: "16px 0 8px", color: "#1a1a1a" }}>Homework and next steps</h2>
              <ul style={{ margin: "0 0 16px", paddingLeft: "20px" }}>
                {note.homework.map((item, i) => (
                  <li key={i}>{item}</li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
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
  const { w, heading, summary, details, reviews, note } = words(props);
  const noteText = note
    ? [
        note.covered ? `What we covered:\n${note.covered}` : "",
        note.homework.length
          ? ["Homework and next steps:", ...note.homework.map((item) => `- ${item}`)].join("\n")
          : "",
      ]
    : [];
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
    sections: [...noteText.filter(Boolean), reviewText],
    action: { label: "View the lesson", href: props.links.bookingUrl },
    footer: { ...footerWords(props.input, w), links: props.links },
  });
}
