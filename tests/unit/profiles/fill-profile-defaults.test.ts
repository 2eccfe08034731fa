import { expect, test } from "vitest";
import { fillProfileDefaults, type ProfileLocation } from "../../../lib/profiles/fill-profile-defaults";

const blank: ProfileLocation = {
  serverType: "pop3smtp",
  incomingProtocol: "imap",
  incomingHost: "",
  outgoingHost: "",
  incomingPort: null,
  outgoingPort: null,
  incomingTls: false,
  outgoingTls: false,
};

test("Gmail fills its IMAP and SMTP locations, ports and TLS, whatever was typed", () => {
  const p = fillProfileDefaults({ ...blank, serverType: "gmail", incomingHost: "typo", incomingPort: 143, outgoingPort: 25 });
  expect(p).toMatchObject({
    incomingHost: "imap.gmail.com",
    incomingPort: 993,
    incomingTls: true,
    outgoingHost: "smtp.gmail.com",
    outgoingPort: 465,
    outgoingTls: true,
  });
});

test("Gmail with POP3 uses pop.gmail.com:995", () => {
  expect(fillProfileDefaults({ ...blank, serverType: "gmail", incomingProtocol: "pop3" })).toMatchObject({ incomingHost: "pop.gmail.com", incomingPort: 995 });
});

test.each([
  ["imap", false, 143],
  ["imap", true, 993],
  ["pop3", false, 110],
  ["pop3", true, 995],
] as const)("POP3/SMTP fills a blank %s port from SSL/TLS=%s with %i", (protocol, tls, port) => {
  expect(fillProfileDefaults({ ...blank, incomingProtocol: protocol, incomingTls: tls }).incomingPort).toBe(port);
});

test("POP3/SMTP fills a blank SMTP port with 465 for TLS and 587 (STARTTLS) without", () => {
  expect(fillProfileDefaults({ ...blank, outgoingTls: true }).outgoingPort).toBe(465);
  expect(fillProfileDefaults({ ...blank, outgoingTls: false }).outgoingPort).toBe(587);
});

test("POP3/SMTP keeps ports and host names that were given", () => {
  const p = fillProfileDefaults({ ...blank, incomingHost: "mail.example.com", incomingPort: 1143, outgoingPort: 2525, incomingTls: true });
  expect(p).toMatchObject({ incomingHost: "mail.example.com", incomingPort: 1143, outgoingPort: 2525, incomingTls: true, outgoingTls: false });
});
