// The weekly family digest: the week's lessons (held or missed, in the booking page's words), the
// first line of each published note, homework still to do, and next week's lessons, each linking to
// its booking page. Contents come ready from app/domain/weekly-digest.ts; React escapes every text.
import { renderToStaticMarkup } from "react-dom/server";
import type { DigestContents } from "~/domain/weekly-digest";
import { Button, documentHtml, EmailLayout, Footer, Heading, Paragraph } from "./components";
import { firstName, oneLine, stopWords, type EmailLinks } from "./content";
import type { RenderedEmail } from "./render";
import { textEmail } from "./text";

export type DigestEmailProps = {
  recipientName: string;
  contents: DigestContents;
  links: Pick<EmailLinks, "unsubscribeUrl" | "settingsUrl"> & {
    /** Our booking page for a booking id. */
    bookingUrl: (bookingId: string) => string;
    /** The dashboard: the action at the end. */
    homeUrl: string;
  };
};

const REASON =
  "You receive this e-mail from Tutorwise Classroom because you book lessons, or look after a learner, here.";

function words({ recipientName, contents }: DigestEmailProps) {
  const line = (value: string) => oneLine(value, 300);
  return {
    greeting: `Hi ${firstName(recipientName)},`,
    heading: `Your week: ${contents.weekLabel}`,
    summary: line(contents.summary),
    past: contents.past.map((l) => ({ ...l, title: line(l.title), text: line(`${l.badge}. ${l.explanation}`) })),
    notes: contents.notes.map((n) => ({ ...n, title: line(n.title), headline: line(n.headline) })),
    homework: contents.homework.map((h) => ({ ...h, title: line(h.title), text: line(h.text) })),
    next: contents.next.map((l) => ({ ...l, title: line(l.title) })),
  };
}

export function digestSubject(contents: DigestContents): string {
  return oneLine(`Your week: ${contents.weekLabel}`, 250);
}

const h2 = { fontSize: "18px", margin: "20px 0 8px", color: "#1a1a1a" } as const;
const item = { color: "#1a1a1a", fontSize: "16px", lineHeight: "1.5", margin: "0 0 8px" } as const;
const link = { color: "#1d4ed8" } as const;

export function WeeklyDigestEmail(props: DigestEmailProps) {
  const w = words(props);
  const { links } = props;
  return (
    <EmailLayout
      title={w.heading}
      preheader={w.summary}
      footer={
        <Footer
          reason={REASON}
          unsubscribe={stopWords("weekly_digest")}
          settings="Choose which e-mails you get"
          links={links}
        />
      }
    >
      <Paragraph>{w.greeting}</Paragraph>
      <Heading>{w.heading}</Heading>
      <Paragraph>
        <strong>{w.summary}</strong>
      </Paragraph>
      {w.past.length > 0 ? (
        <>
          <h2 style={h2}>This week's lessons</h2>
          {w.past.map((l) => (
            <p key={l.bookingId} style={item}>
              <a href={links.bookingUrl(l.bookingId)} style={link}>
                {l.title}
              </a>
              , {l.when}: {l.text}
            </p>
          ))}
        </>
      ) : null}
      {w.notes.length > 0 ? (
        <>
          <h2 style={h2}>From the tutors' notes</h2>
          {w.notes.map((n) => (
            <p key={n.bookingId} style={item}>
              <a href={links.bookingUrl(n.bookingId)} style={link}>
                {n.title}
              </a>
              : {n.headline}
            </p>
          ))}
        </>
      ) : null}
      {w.homework.length > 0 ? (
        <>
          <h2 style={h2}>Homework still to do</h2>
          {w.homework.map((h, index) => (
            <p key={index} style={item}>
              {h.text} ({h.due}),{" "}
              <a href={links.bookingUrl(h.bookingId)} style={link}>
                {h.title}
              </a>
            </p>
          ))}
        </>
      ) : null}
      {w.next.length > 0 ? (
        <>
          <h2 style={h2}>Next week</h2>
          {w.next.map((l) => (
            <p key={l.bookingId} style={item}>
              <a href={links.bookingUrl(l.bookingId)} style={link}>
                {l.title}
              </a>
              , {l.when}
            </p>
          ))}
        </>
      ) : null}
      <Button href={links.homeUrl}>Your lessons</Button>
    </EmailLayout>
  );
}

export function weeklyDigestText(props: DigestEmailProps): string {
  const w = words(props);
  const { links } = props;
  const section = (title: string, lines: string[]) => (lines.length ? [`${title}:`, ...lines].join("\n") : "");
  return textEmail({
    greeting: w.greeting,
    heading: w.heading,
    paragraphs: [w.summary],
    sections: [
      section(
        "This week's lessons",
        w.past.map((l) => `- ${l.title}, ${l.when}: ${l.text}\n  ${links.bookingUrl(l.bookingId)}`),
      ),
      section(
        "From the tutors' notes",
        w.notes.map((n) => `- ${n.title}: ${n.headline}\n  ${links.bookingUrl(n.bookingId)}`),
      ),
      section(
        "Homework still to do",
        w.homework.map((h) => `- ${h.text} (${h.due}), ${h.title}\n  ${links.bookingUrl(h.bookingId)}`),
      ),
      section(
        "Next week",
        w.next.map((l) => `- ${l.title}, ${l.when}\n  ${links.bookingUrl(l.bookingId)}`),
      ),
    ],
    action: { label: "Your lessons", href: links.homeUrl },
    footer: {
      reason: REASON,
      unsubscribe: stopWords("weekly_digest"),
      settings: "Choose which e-mails you get",
      links,
    },
  });
}

export function renderDigestEmail(props: DigestEmailProps): RenderedEmail {
  return {
    subject: digestSubject(props.contents),
    html: documentHtml(renderToStaticMarkup(<WeeklyDigestEmail {...props} />)),
    text: weeklyDigestText(props),
  };
}
