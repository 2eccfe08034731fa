import { expect, test } from "vitest";
import { detectAutomatic, parseDeliveryStatus, permanentlyBounced } from "../../../lib/mail/detect-automatic";
import { parseMessage } from "../../../lib/mail/parse-message";
import { planThreads, type KnownThreads, type ThreadCandidate } from "../../../lib/threads/assign-threads";
import { referencedIds, subjectKey } from "../../../lib/threads/thread-keys";

const none = (): KnownThreads => ({ byMessageId: new Map(), referencedBy: new Map(), outgoing: new Map(), bySubject: new Map() });
let n = 0;
const ids = () => `t${++n}`;
function msg(id: number, messageId: string | null, o: { inReplyTo?: string; references?: string; subject?: string } = {}): ThreadCandidate {
  const subject = o.subject ?? "hello";
  return { id, messageId, inReplyTo: o.inReplyTo ?? null, refIds: referencedIds(o.inReplyTo ?? null, o.references ?? null), subject, subjectKey: subjectKey(subject) };
}

test("referenced ids: In-Reply-To first, then References newest first, each once", () => {
  expect(referencedIds("<c@x>", "<a@x> <b@x>\r\n <c@x>")).toEqual(["<c@x>", "<b@x>", "<a@x>"]);
  expect(referencedIds(null, null)).toEqual([]);
});

test("subject keys drop reply and forward prefixes in several languages", () => {
  expect(subjectKey("Re: RE: Fwd:  Order 42")).toBe("order 42");
  expect(subjectKey("AW: Bestellung")).toBe("bestellung");
  expect(subjectKey("返信：注文")).toBe("注文");
  expect(subjectKey("Re[2]: x")).toBe("x");
  expect(subjectKey("Re: ")).toBeNull();
});

test("a reply joins its parent by In-Reply-To, a later one by References; an unrelated message opens a new thread", () => {
  const known = none();
  known.byMessageId.set("<root@x>", "T");
  const plan = planThreads(
    [msg(1, "<r1@x>", { inReplyTo: "<root@x>" }), msg(2, "<r2@x>", { references: "<root@x> <r1@x>" }), msg(3, "<other@x>")],
    known,
    ids,
  );
  expect(plan.assigned).toEqual([
    { id: 1, threadId: "T", method: "in_reply_to" },
    { id: 2, threadId: "T", method: "references" },
    { id: 3, threadId: expect.stringMatching(/^t\d+$/), method: "new" },
  ]);
  expect(plan.merges).toEqual([]);
});

test("a parent stored after its reply ties the two together; a copy with the same Message-ID joins its original", () => {
  const known = none();
  known.referencedBy.set("<root@x>", "R");
  known.byMessageId.set("<dup@x>", "D");
  const plan = planThreads([msg(1, "<root@x>"), msg(2, "<dup@x>")], known, ids);
  expect(plan.assigned).toEqual([
    { id: 1, threadId: "R", method: "message_id" },
    { id: 2, threadId: "D", method: "message_id" },
  ]);
});

test("replies that started their own threads are merged when a message links them", () => {
  // Two replies to a parent we never stored, then the parent's own reply chain is completed by a message referencing both.
  const plan = planThreads([msg(1, "<a@x>", { inReplyTo: "<p@x>" }), msg(2, "<b@x>", { inReplyTo: "<q@x>" }), msg(3, "<c@x>", { inReplyTo: "<a@x>", references: "<b@x> <a@x>" })], none(), ids);
  // Siblings answering the same unstored message share a thread.
  const siblings = planThreads([msg(1, "<s1@x>", { inReplyTo: "<gone@x>" }), msg(2, "<s2@x>", { inReplyTo: "<gone@x>" })], none(), ids);
  expect(siblings.assigned[1]).toEqual({ id: 2, threadId: siblings.assigned[0].threadId, method: "references" });
  const [a, b, c] = plan.assigned;
  // <b@x>'s thread (opened second) is renamed to <a@x>'s, which <c@x> joined by its In-Reply-To.
  expect(plan.merges).toEqual([{ from: expect.not.stringMatching(a.threadId), to: a.threadId }]);
  expect([b.threadId, c.threadId]).toEqual([a.threadId, a.threadId]);
  expect(c.method).toBe("in_reply_to");
});

test("a reply to mail sent from the app joins the app's thread (outgoing); a subject match needs a Re: prefix and no header match", () => {
  const known = none();
  known.outgoing.set("<sent@mailroom>", "O");
  known.bySubject.set("invoice 7", "S");
  const plan = planThreads([msg(1, "<r@x>", { inReplyTo: "<sent@mailroom>" }), msg(2, "<s@x>", { subject: "Re: Invoice 7" }), msg(3, "<u@x>", { subject: "Invoice 7" })], known, ids);
  expect(plan.assigned.map((a) => [a.threadId, a.method])).toEqual([
    ["O", "outgoing"],
    ["S", "subject"],
    [expect.stringMatching(/^t/), "new"],
  ]);
});

test("automatic mail: Auto-Submitted, X-Auto-Response-Suppress, X-Autoreply, vacation subjects, Precedence; a person's mail is not", () => {
  const h = (o: Record<string, unknown>) => new Map(Object.entries(o));
  expect(detectAutomatic(h({ "auto-submitted": "auto-replied (vacation)" }), "a@x.org", "x")).toEqual({ kind: "auto_reply", reason: "Auto-Submitted: auto-replied (vacation)" });
  expect(detectAutomatic(h({ "auto-submitted": "auto-generated" }), "a@x.org", "x")?.kind).toBe("auto_generated");
  expect(detectAutomatic(h({ "auto-submitted": "no" }), "a@x.org", "x")).toBeNull();
  expect(detectAutomatic(h({ "x-auto-response-suppress": "All" }), "a@x.org", "x")?.kind).toBe("auto_generated");
  expect(detectAutomatic(h({ "x-autoreply": "yes" }), "a@x.org", "x")?.reason).toBe("X-Autoreply: yes");
  expect(detectAutomatic(h({}), "a@x.org", "Automatic reply: Meeting")?.kind).toBe("auto_reply");
  expect(detectAutomatic(h({}), "a@x.org", "自動応答: 不在です")?.kind).toBe("auto_reply");
  expect(detectAutomatic(h({ precedence: "bulk" }), "a@x.org", "News")).toEqual({ kind: "bulk", reason: "Precedence: bulk" });
  expect(detectAutomatic(h({ precedence: "list" }), "a@x.org", "News")?.kind).toBe("bulk");
  expect(detectAutomatic(h({}), "MAILER-DAEMON@mx.example.org", "Undelivered")?.kind).toBe("bounce");
  expect(detectAutomatic(h({ precedence: "first-class" }), "a@x.org", "Re: lunch")).toBeNull();
});

const DSN = [
  "From: Mail Delivery System <mailer-daemon@mx.example.com>",
  "To: alice@example.com",
  "Subject: Undelivered Mail Returned to Sender",
  "Auto-Submitted: auto-replied",
  "Message-ID: <dsn1@mx.example.com>",
  "MIME-Version: 1.0",
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
  "",
  "--B",
  "Content-Type: text/plain",
  "",
  "Your message could not be delivered.",
  "--B",
  "Content-Type: message/delivery-status",
  "",
  "Reporting-MTA: dns; mx.example.com",
  "",
  "Final-Recipient: rfc822; Bob@Example.org",
  "Action: failed",
  "Status: 5.1.1",
  "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>:",
  " User unknown",
  "",
  "Final-Recipient: rfc822; carol@example.org",
  "Action: delayed",
  "Status: 4.4.1",
  "",
  "--B",
  "Content-Type: message/rfc822",
  "",
  "From: alice@example.com",
  "Subject: hello",
  "Message-ID: <orig1@example.com>",
  "",
  "hi",
  "--B--",
  "",
].join("\r\n");

test("a delivery status notification is a bounce with each recipient's action and status; only 5.x.x failures count as permanent", async () => {
  const parsed = await parseMessage(Buffer.from(DSN));
  expect(parsed.automatic).toEqual({ kind: "bounce", reason: "Content-Type: multipart/report; report-type=delivery-status" });
  expect(parsed.dsn).toEqual([
    { address: "Bob@Example.org", action: "failed", status: "5.1.1", diagnostic: "smtp; 550 5.1.1 <bob@example.org>: User unknown" },
    { address: "carol@example.org", action: "delayed", status: "4.4.1", diagnostic: null },
  ]);
  expect(permanentlyBounced(parsed.dsn)).toEqual(["bob@example.org"]);
  expect(parseDeliveryStatus(Buffer.from(DSN), undefined)).toEqual([]);
});
