import { expect, test } from "vitest";
import { z } from "zod";
import { AppError } from "../../lib/errors";
import { parseInput } from "../../lib/validation";

const schema = z.object({ name: z.string(), userName: z.string(), password: z.string(), note: z.string() });

test("parseInput refuses NUL in any field and line breaks in credentials as field errors, before the database sees them", () => {
  const fd = new FormData();
  fd.set("name", "Sales\u0000team");
  fd.set("userName", "ops\r\nDELE 1");
  fd.set("password", "pw\0");
  fd.set("note", "line one\nline two");
  const err = (() => {
    try {
      parseInput(schema, Object.fromEntries(fd));
    } catch (e) {
      return e;
    }
  })() as AppError;
  expect(err).toBeInstanceOf(AppError);
  expect(Object.keys(err.fieldErrors).sort()).toEqual(["name", "password", "userName"]);
  expect(err.fieldErrors.name[0]).toMatchObject({ key: "validation.nulCharacter" });
  expect(err.fieldErrors.userName[0]).toMatchObject({ key: "validation.lineBreak" });
  expect(parseInput(schema, { name: "Sales", userName: "ops", password: "pw", note: "a\nb" })).toMatchObject({ note: "a\nb" });
});
