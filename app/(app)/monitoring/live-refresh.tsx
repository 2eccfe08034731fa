"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Refreshes the server-rendered dashboard every `everyMs` without a full reload
 * (router.refresh re-renders the server components; the charts get new data),
 * and not while the tab is hidden.
 */
export function LiveRefresh({ everyMs }: { everyMs: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return null;
}
