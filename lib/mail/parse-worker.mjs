// Entry of a parse thread (lib/mail/parse-pool.ts). A worker thread starts without the
// parent's TypeScript loader in some hosts (the test runner), so the task is loaded through
// tsx's API, which works whether or not the process was started with `--import tsx`.
import { tsImport } from "tsx/esm/api";

const task = await tsImport("./parse-task.ts", import.meta.url);

export default task.default;
