// The pieces every lifecycle e-mail is made of. Inline styles only (mail clients drop <style> and
// external sheets), one narrow column without layout tables, no images: it reads on a phone and in
// clients that block remote content.
import type { ReactNode } from "react";

const font = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const text = { color: "#1a1a1a", fontSize: "16px", lineHeight: "1.5", margin: "0 0 16px" } as const;

export function EmailLayout({
  title,
  preheader,
  children,
  footer,
}: {
  title: string;
  preheader: string;
  children: ReactNode;
  footer: ReactNode;
}) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{title}</title>
      </head>
      <body style={{ margin: 0, padding: 0, backgroundColor: "#f4f6f8", fontFamily: font }}>
        {/* The line inboxes show after the subject; hidden in the message itself. */}
        <div style={{ display: "none", maxHeight: 0, overflow: "hidden", opacity: 0 }}>{preheader}</div>
        <div style={{ maxWidth: "560px", margin: "0 auto", padding: "24px 16px" }}>
          <p style={{ ...text, fontSize: "14px", fontWeight: 600, color: "#1d4ed8", margin: "0 0 12px" }}>
            Tutorwise Classroom
          </p>
          <div
            style={{ backgroundColor: "#ffffff", borderRadius: "8px", padding: "24px", border: "1px solid #dde1e6" }}
          >
            {children}
          </div>
          <div style={{ padding: "16px 8px 0" }}>{footer}</div>
        </div>
      </body>
    </html>
  );
}

export function Heading({ children }: { children: ReactNode }) {
  return <h1 style={{ ...text, fontSize: "22px", lineHeight: "1.3", fontWeight: 700 }}>{children}</h1>;
}

export function Paragraph({ children, muted }: { children: ReactNode; muted?: boolean }) {
  return <p style={muted ? { ...text, fontSize: "14px", color: "#4b5563" } : text}>{children}</p>;
}

/** A big, plain link that looks like a button: works in every client, with or without images. */
export function Button({ href, children }: { href: string; children: ReactNode }) {
  return (
    <p style={{ margin: "24px 0" }}>
      <a
        href={href}
        style={{
          display: "inline-block",
          backgroundColor: "#1d4ed8",
          color: "#ffffff",
          fontSize: "18px",
          fontWeight: 700,
          lineHeight: "1.2",
          padding: "14px 28px",
          borderRadius: "6px",
          textDecoration: "none",
        }}
      >
        {children}
      </a>
    </p>
  );
}

/** Label and value pairs, one per line. */
export function Details({ rows }: { rows: { label: string; value: string }[] }) {
  return (
    <div style={{ margin: "0 0 16px" }}>
      {rows.map((row) => (
        <p key={row.label} style={{ ...text, margin: "0 0 4px" }}>
          <strong>{row.label}:</strong> {row.value}
        </p>
      ))}
    </div>
  );
}

export function Footer({
  reason,
  unsubscribe,
  settings,
  links,
}: {
  reason: string;
  unsubscribe: string;
  settings: string;
  links: { unsubscribeUrl: string; settingsUrl: string };
}) {
  const small = { ...text, fontSize: "13px", color: "#4b5563", margin: "0 0 8px" };
  const link = { color: "#1d4ed8" };
  return (
    <>
      <p style={small}>{reason}</p>
      <p style={small}>
        <a href={links.unsubscribeUrl} style={link}>
          {unsubscribe}
        </a>
        {" · "}
        <a href={links.settingsUrl} style={link}>
          {settings}
        </a>
      </p>
    </>
  );
}

/** The whole document, as a mail client wants it. */
export function documentHtml(markup: string): string {
  return `<!DOCTYPE html>${markup}`;
}
