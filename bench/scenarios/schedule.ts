import type { Scenario } from "../lib/scenario";

export const schedule: Scenario = {
  name: "schedule-10k",
  async run() {
    throw new Error("not written yet");
  },
};
