/**
 * Refuses a user name or password with CR, LF or NUL before it reaches any mail
 * server: in a command line (POP3 USER/PASS, IMAP LOGIN) they would start another
 * command, and in SASL PLAIN a NUL separates the identities. The forms refuse them
 * too; this stops values stored before that, or written to the database directly.
 * The error's code EUNSAFECREDENTIALS is classified as a permanent credentials error.
 */
export function assertSafeCredentials(user: string, secret: string): void {
  if (/[\r\n\0]/.test(user) || /[\r\n\0]/.test(secret)) {
    throw Object.assign(new Error("The user name or password contains CR, LF or NUL; not sent to the mail server"), { code: "EUNSAFECREDENTIALS" });
  }
}
