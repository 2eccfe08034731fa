import { expect, test } from "vitest";
import { fairShares } from "../../../lib/sync/claim-due-mailboxes";

const shares = (wants: Record<string, number>, lanes: number) => Object.fromEntries(fairShares(new Map(Object.entries(wants)), lanes));

test("a host alone may take all lanes but an eighth; hosts that want little get it all, the rest split what is left", () => {
  expect(shares({ dead: 100 }, 24)).toEqual({ dead: 21 });
  expect(shares({ dead: 100, healthy: 1 }, 24)).toEqual({ dead: 21, healthy: 1 });
  expect(shares({ dead: 100, big: 50 }, 24)).toEqual({ dead: 12, big: 12 });
  expect(shares({ a: 3, b: 100, c: 100 }, 24)).toEqual({ a: 3, b: 10, c: 11 });
  expect(shares({ small: 2 }, 24)).toEqual({ small: 2 });
  // More hosts than lanes: one each (the claim's limit keeps the total to the free lanes).
  expect(Object.values(shares(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`h${i}`, 5])), 24))).toEqual(Array(30).fill(1));
  expect(shares({ only: 4 }, 1)).toEqual({ only: 1 });
});
