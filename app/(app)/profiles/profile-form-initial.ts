import type { ProfileView } from "@/lib/profiles/profile-view";
import type { ProfileFormInitial } from "./profile-form";

/** The form's starting values for a new profile: POP3/SMTP over IMAP with TLS, 5-minute polling, 10 connections. */
export const newProfileInitial: ProfileFormInitial = {
  name: "",
  description: "",
  ownerId: "",
  serverType: "pop3smtp",
  incomingProtocol: "imap",
  incomingHost: "",
  outgoingHost: "",
  credentialMode: "mailbox",
  userName: "",
  passwordSet: false,
  useSameForOutgoing: true,
  outgoingUserName: "",
  outgoingPasswordSet: false,
  incomingPort: "",
  outgoingPort: "",
  incomingTls: true,
  outgoingTls: true,
  incomingAuthMethod: "auto",
  outgoingAuthMethod: "auto",
  processEmailFrom: "",
  minPollingIntervalMinutes: "5",
  maxConnections: "10",
  isDefault: false,
};

/** A stored profile as the form's starting values. The view has no passwords, only whether they are set. */
export function profileFormInitial(p: ProfileView): ProfileFormInitial {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    ownerId: p.ownerId ?? "",
    serverType: p.serverType,
    incomingProtocol: p.incomingProtocol,
    incomingHost: p.incomingHost,
    outgoingHost: p.outgoingHost,
    credentialMode: p.credentialMode,
    userName: p.userName ?? "",
    passwordSet: p.passwordSet,
    useSameForOutgoing: p.useSameForOutgoing,
    outgoingUserName: p.outgoingUserName ?? "",
    outgoingPasswordSet: p.outgoingPasswordSet,
    incomingPort: String(p.incomingPort),
    outgoingPort: String(p.outgoingPort),
    incomingTls: p.incomingTls,
    outgoingTls: p.outgoingTls,
    incomingAuthMethod: p.incomingAuthMethod,
    outgoingAuthMethod: p.outgoingAuthMethod,
    processEmailFrom: p.processEmailFrom.toISOString(),
    minPollingIntervalMinutes: String(p.minPollingIntervalMinutes),
    maxConnections: String(p.maxConnections),
    isDefault: p.isDefault,
  };
}
