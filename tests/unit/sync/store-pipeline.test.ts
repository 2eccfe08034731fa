import { expect, test } from "vitest";
import { createStorePipeline } from "../../../lib/sync/store-pipeline";

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

test("commits run one at a time, in order, while the caller goes on; a failure surfaces before the next commit starts", async () => {
  const log: string[] = [];
  const p = createStorePipeline();
  await p.push(async () => {
    log.push("start 1");
    await tick(20);
    log.push("end 1");
  });
  log.push("fetching 2"); // the caller is not held up by commit 1
  await p.push(async () => {
    log.push("start 2");
    throw new Error("commit 2 failed");
  });
  await tick();
  let third = false;
  await expect(p.push(async () => void (third = true))).rejects.toThrow("commit 2 failed");
  expect(third).toBe(false);
  expect(log).toEqual(["start 1", "fetching 2", "end 1", "start 2"]);
  await p.flush();
});
