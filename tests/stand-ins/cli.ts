// What the stand-ins' run-*.ts scripts share: reading whole-number flags and stopping cleanly.

/** A non-negative whole number from a --flag, or exit 2 naming the flag. */
export function wholeNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got "${value}"`);
    process.exit(2);
  }
  return n;
}

/** Stops the stand-in once on Ctrl-C or SIGTERM, then exits. */
export function stopOnSignal(standIn: { stop(): Promise<void> }): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void standIn.stop().then(() => process.exit(0));
    });
  }
}
