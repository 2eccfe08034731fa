import { isOAuth } from "../credentials/mail-auth";
import type { IncomingSessionSettings } from "./connect-imap";
import { connectPop3, type Pop3Client, type Pop3SaslMechanism } from "./pop3";
import { assertPortAllowed } from "./port-policy";

/**
 * Opens a signed-in POP3 session: connect (implicit TLS, or STLS on a plain port —
 * tried even when CAPA does not announce it, so a stripped announcement cannot
 * downgrade us; skipped only when the profile allows unencrypted connections and
 * the server does not offer it), then USER/PASS or the SASL mechanism chosen
 * (automatic: USER when offered, else the best SASL mechanism). Fails with a
 * Pop3Error for classifyMailError; the socket is closed on failure.
 */
export async function connectPop3Session(s: IncomingSessionSettings): Promise<Pop3Client> {
  assertPortAllowed(s.port);
  const timeoutMs = s.timeoutMs ?? 30_000;
  const greetingMs = Math.min(s.greetingTimeoutMs ?? timeoutMs, timeoutMs);
  const client = await connectPop3({
    host: s.host,
    port: s.port,
    tls: s.tls ? "implicit" : "none",
    ca: s.ca,
    timeoutMs: greetingMs,
    idleTimeoutMs: timeoutMs,
    allowUnencrypted: s.allowUnencrypted,
  });
  try {
    let capa = await client.capa();
    if (!s.tls && (capa.has("STLS") || !s.allowUnencrypted)) {
      await client.stls();
      capa = await client.capa(); // RFC 2595: capabilities may change after STLS
    }
    const sasl = capa.get("SASL") ?? [];
    if (isOAuth(s.auth)) {
      // XOAUTH2 unless the server offers only OAUTHBEARER (RFC 7628).
      await client.authenticateOAuth(sasl.includes("XOAUTH2") || !sasl.includes("OAUTHBEARER") ? "XOAUTH2" : "OAUTHBEARER", s.auth.user, s.auth.accessToken);
    } else if (s.authMethod === "auto" || s.authMethod === "xoauth2") {
      if (capa.size === 0 || capa.has("USER")) await client.login(s.auth.user, s.auth.pass);
      else await client.authenticate(sasl.includes("CRAM-MD5") ? "CRAM-MD5" : sasl.includes("PLAIN") ? "PLAIN" : "LOGIN", s.auth.user, s.auth.pass);
    } else {
      await client.authenticate(s.authMethod.toUpperCase() as Pop3SaslMechanism, s.auth.user, s.auth.pass);
    }
    return client;
  } catch (err) {
    client.close();
    throw err;
  }
}
