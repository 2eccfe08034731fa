import { describe, expect, test } from "vitest";
import { DotUnstuffer } from "../../../lib/mail/pop3";
import { stuff } from "./fake-pop3-server";

/** Feeds `wire` to a fresh decoder cut at `cuts`; returns the body and what followed the terminator. */
function decode(wire: Buffer, cuts: number[]): { body: Buffer; rest: Buffer | null } {
  const decoder = new DotUnstuffer();
  const out: Buffer[] = [];
  const edges = [0, ...cuts, wire.length];
  for (let i = 0; i + 1 < edges.length; i++) {
    const { data, rest } = decoder.write(wire.subarray(edges[i], edges[i + 1]));
    out.push(...data);
    if (rest) return { body: Buffer.concat(out), rest: Buffer.concat([rest, wire.subarray(edges[i + 1])]) };
  }
  return { body: Buffer.concat(out), rest: null };
}

// Every line shape that dot-stuffing touches, plus 8-bit bytes and bare CRs.
const tricky = Buffer.concat([
  Buffer.from(".starts with a dot\r\n..two dots\r\n.\r\n...\r\nmid . dot\r\n\r\n", "latin1"),
  Buffer.from([0xe2, 0x82, 0xac, 0xff, 0x00, 0x0d, 0x41, 0x0d, 0x0a]),
  Buffer.from(".\rodd\r\nlast line\r\n", "latin1"),
]);

describe("DotUnstuffer", () => {
  test("returns the original bytes for every single cut point of a tricky message", () => {
    const wire = Buffer.concat([stuff(tricky), Buffer.from("+OK next")]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const { body, rest } = decode(wire, [cut]);
      expect(body.equals(tricky), `cut at ${cut}`).toBe(true);
      expect(rest?.toString()).toBe("+OK next");
    }
  });

  test("returns the original bytes for every pair of cut points around the terminator", () => {
    const wire = stuff(tricky);
    for (let a = wire.length - 12; a <= wire.length; a++) {
      for (let b = a; b <= wire.length; b++) {
        const { body, rest } = decode(wire, [a, b]);
        expect(body.equals(tricky), `cuts at ${a},${b}`).toBe(true);
        expect(rest?.length).toBe(0);
      }
    }
  });

  test("byte by byte", () => {
    const wire = stuff(tricky);
    const { body, rest } = decode(wire, Array.from({ length: wire.length }, (_, i) => i + 1));
    expect(body.equals(tricky)).toBe(true);
    expect(rest).not.toBeNull();
  });

  test("an empty message is just the terminator", () => {
    expect(decode(Buffer.from(".\r\n"), [])).toEqual({ body: Buffer.alloc(0), rest: Buffer.alloc(0) });
  });

  test("a CRLF.CRLF inside the message (stuffed as CRLF..CRLF) does not end it", () => {
    const message = Buffer.from("a\r\n.\r\nb\r\n");
    const wire = stuff(message);
    expect(wire.toString()).toBe("a\r\n..\r\nb\r\n.\r\n");
    expect(decode(wire, [4, 5]).body.toString()).toBe("a\r\n.\r\nb\r\n");
  });

  test("keeps waiting while the terminator has not arrived", () => {
    const { body, rest } = decode(Buffer.from("line\r\n.\r"), []);
    expect(body.toString()).toBe("line\r\n");
    expect(rest).toBeNull();
  });

  test("accepts a bare-LF terminator from sloppy servers", () => {
    expect(decode(Buffer.from("a\n.\nrest"), []).body.toString()).toBe("a\n");
  });
});
