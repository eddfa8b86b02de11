import { useEffect } from "react";
import { useRevalidator } from "react-router";
import type { RefreshPlan } from "~/domain/booking-card";

/**
 * Keeps a page truthful across a join-window edge. Without JavaScript: a meta refresh timed to
 * the edge (inside <noscript>, so it stays inert when scripts run). With JavaScript: the loaders
 * run again at the exact millisecond. Either way the server decides the new state.
 */
export function RefreshAtNextChange({ plan }: { plan: RefreshPlan | null }) {
  const { revalidate } = useRevalidator();
  const afterMs = plan?.afterMs ?? null;
  useEffect(() => {
    if (afterMs === null) return;
    const timer = window.setTimeout(() => void revalidate(), afterMs);
    return () => window.clearTimeout(timer);
  }, [afterMs, revalidate]);
  if (!plan) return null;
  return (
    <noscript>
      <meta httpEquiv="refresh" content={String(plan.afterSeconds)} />
    </noscript>
  );
}
