import net from "node:net";
import tls from "node:tls";

/** Extra certificate authorities a mail server may be signed by (PEM), on top of the system's. */
export type ExtraCa = string | Buffer | Array<string | Buffer>;

const MIN_VERSION = "TLSv1.2" as const;

/**
 * TLS options for connecting to a mail server at `host` (IMAP, POP3 and SMTP alike).
 *
 * Node's `ca` option replaces the built-in roots rather than adding to them, so
 * an extra CA is combined with `tls.rootCertificates`: a private CA is trusted
 * without distrusting every public one. That list goes into a secure context
 * shared by every connection with the same extra CA: given `ca`, Node would build
 * a context per connection and parse all ~140 system roots again (about 18 ms of
 * CPU each, the largest cost of a sync that finds little mail). Certificate checks
 * always stay on: the peer is verified against the list and the host name.
 * SNI is sent only for host names (RFC 6066 forbids IP literals there); the
 * certificate is still checked against `host` either way.
 */
export function mailTlsOptions(host: string, ca?: ExtraCa): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = { host, rejectUnauthorized: true, minVersion: MIN_VERSION };
  if (!net.isIP(host)) options.servername = host;
  const extra = ca === undefined ? [] : Array.isArray(ca) ? ca : [ca];
  if (extra.length > 0) options.secureContext = sharedContext(extra);
  return options;
}

/** Secure contexts by their extra CA list; bounded (a handful of distinct CAs in practice). */
const contexts = new Map<string, tls.SecureContext>();
const MAX_CONTEXTS = 64;

function sharedContext(extra: Array<string | Buffer>): tls.SecureContext {
  // The list is the system roots (fixed for the process) plus `extra`, so `extra` identifies it.
  const key = extra.map((c) => c.toString()).join("\n");
  let context = contexts.get(key);
  if (!context) {
    if (contexts.size >= MAX_CONTEXTS) contexts.clear();
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extra], minVersion: MIN_VERSION });
    contexts.set(key, context);
  }
  return context;
}
