import { expect, test } from "vitest";
import { attachmentDisposition, safeFileName } from "../../../lib/emails/attachment-disposition";
import { emailBodyCsp } from "../../../lib/emails/email-body-csp";

test("file names lose directories, control characters and reserved punctuation", () => {
  expect(safeFileName("../../etc/passwd")).toBe("_.._etc_passwd");
  expect(safeFileName("C:\\Users\\x.exe")).toBe("C__Users_x.exe");
  expect(safeFileName("re\u0000port\r\n.pdf")).toBe("report.pdf");
  expect(safeFileName("  ..hidden. ")).toBe("hidden");
  expect(safeFileName("")).toBe("attachment");
  expect(safeFileName(null)).toBe("attachment");
  expect(safeFileName("a".repeat(500))).toHaveLength(200);
});

test("Content-Disposition is an attachment with an ASCII name and the exact UTF-8 name (RFC 5987)", () => {
  expect(attachmentDisposition("report.pdf")).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
  expect(attachmentDisposition('見積書 "final".pdf')).toBe(
    `attachment; filename="___ _final_.pdf"; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8%20_final_.pdf`,
  );
  expect(attachmentDisposition("a;b\r\nSet-Cookie: x=1")).not.toMatch(/[\r\n]/);
  expect(attachmentDisposition("it's (1).txt")).toContain("filename*=UTF-8''it%27s%20%281%29.txt");
});

test("the body's CSP loads nothing but inline styles and data: images; https images only on request", () => {
  const csp = emailBodyCsp(false);
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("img-src data:;");
  expect(csp).toContain("style-src 'unsafe-inline'");
  expect(csp).toContain("frame-ancestors 'self'");
  expect(csp).not.toContain("script-src");
  expect(csp).not.toContain("https:");
  expect(emailBodyCsp(true)).toContain("img-src data: https:;");
});
