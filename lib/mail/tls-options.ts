import net from "node:net";
import tls from "node:tls";

/** Extra certificate authorities a mail server may be signed by (PEM), on top of the system's. */
export type ExtraCa = string | Buffer | Array<string | Buffer>;

/**
 * TLS options for connecting to a mail server at `host`.
 *
 * Node's `ca` option replaces the built-in roots rather than adding to them, so
 * an extra CA is combined with `tls.rootCertificates`: a private CA is trusted
 * without distrusting every public one. Certificate checks always stay on.
 * SNI is sent only for host names (RFC 6066 forbids IP literals there); the
 * certificate is still checked against `host` either way.
 */
export function mailTlsOptions(host: string, ca?: ExtraCa): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = { host, rejectUnauthorized: true, minVersion: "TLSv1.2" };
  if (!net.isIP(host)) options.servername = host;
  const extra = ca === undefined ? [] : Array.isArray(ca) ? ca : [ca];
  if (extra.length > 0) options.ca = [...tls.rootCertificates, ...extra];
  return options;
}
