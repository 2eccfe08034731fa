import type { Scenario } from "../lib/scenario";

export const pages: Scenario = {
  name: "pages",
  async run() {
    throw new Error("not written yet");
  },
};
