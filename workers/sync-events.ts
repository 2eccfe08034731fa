import type { Listen } from "../db/client";
import { log } from "../lib/log";

/** The channel the database's triggers notify on (db/migrations/0012_sync_notify.sql). */
export const SYNC_CHANNEL = "mailroom_sync";

/** What changed: a mailbox, a profile, or (neither) anything — an organisation setting. */
export type SyncEvent = { mailbox?: string; profile?: string };

/**
 * Database notifications for the worker: the loop wakes on them (`next()`), steps that
 * hold something (push sessions) subscribe (`on()`). An event that arrives while the loop
 * is busy is kept (`pending`) so the sleep after that pass ends at once instead of missing it.
 */
export type SyncEvents = {
  /** Settles at the next event, or at once when one arrived since the last `consume()`. */
  next(): Promise<void>;
  /** Marks what arrived so far as seen (called as a pass starts: the pass will look). */
  consume(): void;
  on(fn: (event: SyncEvent) => void): () => void;
  /** Feeds one event in (the listener, and tests). */
  emit(event: SyncEvent): void;
};

/** A hub with no source attached (tests attach none; the worker attaches LISTEN). */
export function createSyncEvents(): SyncEvents {
  let pending = false;
  let waiting: (() => void) | undefined;
  let nextPromise: Promise<void> | undefined;
  const listeners = new Set<(event: SyncEvent) => void>();
  return {
    next() {
      if (pending) return Promise.resolve();
      nextPromise ??= new Promise<void>((resolve) => (waiting = resolve));
      return nextPromise;
    },
    consume() {
      pending = false;
    },
    on(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    emit(event) {
      pending = true;
      const wake = waiting;
      waiting = undefined;
      nextPromise = undefined;
      wake?.();
      for (const fn of listeners) {
        try {
          fn(event);
        } catch (err) {
          log("error", "a sync event listener failed", { err });
        }
      }
    },
  };
}

/** A notification's payload as an event; anything unreadable counts as "anything changed". */
export function parseSyncEvent(payload: string): SyncEvent {
  try {
    const v = JSON.parse(payload) as Record<string, unknown>;
    return {
      ...(typeof v.mailbox === "string" ? { mailbox: v.mailbox } : {}),
      ...(typeof v.profile === "string" ? { profile: v.profile } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * LISTENs for the triggers' notifications and feeds them into `events`. After the
 * database connection comes back (a restart) notifications sent meanwhile are lost, so
 * re-listening counts as "anything changed".
 */
export async function listenForSyncEvents(listen: Listen, events: SyncEvents): Promise<{ unlisten: () => Promise<void> }> {
  let first = true;
  return listen(
    SYNC_CHANNEL,
    (payload) => events.emit(parseSyncEvent(payload)),
    () => {
      if (!first) events.emit({});
      first = false;
    },
  );
}
