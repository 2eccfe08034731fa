import { describe, expect, test } from "vitest";
import { createSessionCache } from "../../../lib/auth/session-cache";

const session = (expiresAtMs: number) => ({ userId: "u1", sessionVersion: 3, expiresAtMs });

describe("session cache", () => {
  test("gives back what was decoded for the same cookie, nothing for another", () => {
    const cache = createSessionCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.set("cookie-a", session(10_000_000), 1000);
    expect(cache.get("cookie-a", 2000)).toEqual(session(10_000_000));
    expect(cache.get("cookie-b", 2000)).toBeNull();
  });

  test("an entry ends at the token's expiry or after the TTL, whichever comes first", () => {
    const cache = createSessionCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.set("short", session(5000), 1000);
    expect(cache.get("short", 4999)).not.toBeNull();
    expect(cache.get("short", 5000)).toBeNull();
    cache.set("long", session(10_000_000), 1000);
    expect(cache.get("long", 60_999)).not.toBeNull();
    expect(cache.get("long", 61_000)).toBeNull();
    cache.set("expired", session(500), 1000);
    expect(cache.get("expired", 1000)).toBeNull();
  });

  test("holds at most maxEntries, dropping the oldest", () => {
    const cache = createSessionCache({ ttlMs: 60_000, maxEntries: 3 });
    for (const c of ["a", "b", "c", "d"]) cache.set(c, session(10_000_000), 1000);
    expect(cache.size).toBe(3);
    expect(cache.get("a", 1000)).toBeNull();
    expect(cache.get("d", 1000)).not.toBeNull();
  });
});
