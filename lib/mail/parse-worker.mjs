// Entry of a parse thread (lib/mail/parse-pool.ts). The thread is started without the
// parent's `--import tsx` (which would give each thread a module-loader thread of its own,
// ~20 MB more); tsx's require API loads the TypeScript task on this thread instead, in the
// worker process and under the test runner alike.
import { require as tsxRequire } from "tsx/cjs/api";

const task = tsxRequire("./parse-task.ts", import.meta.url);

export default task.default ?? task;
