import { describe, expect, it } from "vitest";
import { isPeerReset } from "../../../workers/tolerated-errors";

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
