/**
 * What went wrong, said for a person: shown by the error page and sent as JSON to scripts.
 * Lives here, below both the server code that builds problems and the page that shows them.
 */
export type Problem = {
  status: number;
  /** Stable name for scripts (the JSON answer carries it too). */
  code: string;
  title: string;
  message: string;
  /** What to do next, in one sentence. */
  advice: string;
  retryAfterSeconds?: number;
  /** Our own path that tries again (a GET, safe to follow). */
  retryHref?: string;
};
