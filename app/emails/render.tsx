// One entry point from a notification to its subject, HTML and text, on the server
// (react-dom/server, no client bundle). React escapes every name and title in the HTML.
import { renderToStaticMarkup } from "react-dom/server";
import type { NotificationEmailInput } from "~/domain/notification-kinds";
import { documentHtml } from "./components";
import { lessonWords, subjectFor, type EmailLinks, type EmailProps } from "./content";
import { LateStartEmail, lateStartText } from "./LateStartEmail";
import { LessonRecordEmail, lessonRecordText } from "./LessonRecordEmail";
import { LessonReminderEmail, lessonReminderText } from "./LessonReminderEmail";
import { ReviewPromptEmail, reviewPromptText } from "./ReviewPromptEmail";

export type RenderedEmail = { subject: string; html: string; text: string };

export function renderNotificationEmail(input: NotificationEmailInput, links: EmailLinks, now: Date): RenderedEmail {
  const props: EmailProps = { input, links, now };
  const subject = subjectFor(input.kind, lessonWords(input, now), input, now);
  switch (input.kind) {
    case "reminder_day_before":
    case "reminder_classroom_open":
      return {
        subject,
        html: documentHtml(renderToStaticMarkup(<LessonReminderEmail {...props} />)),
        text: lessonReminderText(props),
      };
    case "lesson_record":
      return {
        subject,
        html: documentHtml(renderToStaticMarkup(<LessonRecordEmail {...props} />)),
        text: lessonRecordText(props),
      };
    case "review_prompt":
      return {
        subject,
        html: documentHtml(renderToStaticMarkup(<ReviewPromptEmail {...props} />)),
        text: reviewPromptText(props),
      };
    case "tutor_late":
    case "tutor_reminded":
    case "learner_late":
      return {
        subject,
        html: documentHtml(renderToStaticMarkup(<LateStartEmail {...props} />)),
        text: lateStartText(props),
      };
  }
}
