import { describe, expect, it } from "vitest";
import { isClosedSocketWrite, isLostDatabaseQuery, isPeerReset } from "../../../workers/tolerated-errors";

const errno = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

describe("isPeerReset (uncaught errors the worker survives)", () => {
  it("a connection reset or broken pipe on a socket read or write", () => {
    expect(isPeerReset(errno("ECONNRESET", "read"))).toBe(true);
    expect(isPeerReset(errno("EPIPE", "write"))).toBe(true);
  });
  it("not a programming error, nor a failure to connect, nor a file error", () => {
    expect(isPeerReset(new TypeError("x is undefined"))).toBe(false);
    expect(isPeerReset(errno("ECONNREFUSED", "connect"))).toBe(false);
    expect(isPeerReset(errno("ENOENT", "open"))).toBe(false);
    expect(isPeerReset({ code: "ECONNRESET", syscall: "read" })).toBe(false);
  });
});

describe("isLostDatabaseQuery (unhandled rejections the worker survives)", () => {
  const pg = (code: string) => Object.assign(new Error(`write ${code} 127.0.0.1:5432`), { code, errno: code });
  it("a query rejected because the database connection closed, left unawaited", () => {
    expect(isLostDatabaseQuery(pg("CONNECTION_CLOSED"), "unhandledRejection")).toBe(true);
    expect(isLostDatabaseQuery(pg("CONNECTION_ENDED"), "unhandledRejection")).toBe(true);
  });
  it("not when thrown, nor a query error, nor a programming error", () => {
    expect(isLostDatabaseQuery(pg("CONNECTION_CLOSED"), "uncaughtException")).toBe(false);
    expect(isLostDatabaseQuery(Object.assign(new Error("duplicate key"), { code: "23505" }), "unhandledRejection")).toBe(false);
    expect(isLostDatabaseQuery(new TypeError("x is undefined"), "unhandledRejection")).toBe(false);
  });
});

describe("isClosedSocketWrite (postgres.js writing on a connection that closed)", () => {
  const thrown = (file: string) =>
    Object.assign(new TypeError("Cannot read properties of null (reading 'write')"), {
      stack: `TypeError: Cannot read properties of null (reading 'write')\n    at Immediate.nextWrite (${file}:255:22)\n    at process.processImmediate (node:internal/timers:483:21)`,
    });
  it("from postgres.js's ES module build (the worker under tsx) and its CommonJS build (the built worker)", () => {
    expect(isClosedSocketWrite(thrown("/app/node_modules/postgres/src/connection.js"))).toBe(true);
    expect(isClosedSocketWrite(thrown("/app/node_modules/postgres/cjs/src/connection.js"))).toBe(true);
  });
  it("not the same error from any other code", () => {
    expect(isClosedSocketWrite(thrown("/app/lib/sync/copy-sources.ts"))).toBe(false);
    expect(isClosedSocketWrite(new TypeError("Cannot read properties of null (reading 'write')"))).toBe(false);
  });
});
