import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { mailTlsOptions, type ExtraCa } from "../mail/tls-options";
import { isNonPublicAddress } from "./public-address";

/** Why an autoconfig document could not be fetched (logged with the URL; the form shows "not found there"). */
export type AutoconfigFetchFailure = "not_https" | "private_address" | "timeout" | "too_large" | "http_status" | "no_such_host" | "network";

export class AutoconfigFetchError extends Error {
  constructor(
    readonly reason: AutoconfigFetchFailure,
    message: string,
  ) {
    super(message);
    this.name = "AutoconfigFetchError";
  }
}

export type AutoconfigFetchLimits = {
  /** The whole request, connect to last byte. */
  timeoutMs: number;
  /** The largest document read; a larger one is abandoned. */
  maxBytes: number;
  /** Tests only: let the fetch reach loopback (the local autoconfig server). */
  allowNonPublicAddresses: boolean;
  /** Extra CAs trusted beside the system's (MAILROOM_EXTRA_CA_FILE). */
  ca?: ExtraCa;
};

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** dns.lookup that refuses a name resolving to any non-public address, so the connection can only go where it was checked. */
function publicOnlyLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isNonPublicAddress(a.address));
    if (list.length === 0 || bad) {
      return callback(Object.assign(new AutoconfigFetchError("private_address", `${hostname} resolves to a non-public address (${bad?.address ?? "none"})`), { code: "EPRIVATE" }), []);
    }
    if (options.all) callback(null, list);
    else callback(null, list[0].address, list[0].family);
  });
}

/**
 * GETs an autoconfig document over HTTPS (plain HTTP only when `allowPlainHttp`, for
 * the one URL Mozilla's scheme allows it for; its result is then untrusted), as a server-side request to a name
 * an outsider chose (the domain of the address typed): certificate checked, no
 * redirect followed, no cookie or credential sent, a hard deadline, a size cap,
 * and — outside tests — no connection to a private, loopback or otherwise
 * non-public address (checked on the addresses the connection then uses, so DNS
 * cannot change its answer in between). Resolves with the body as text.
 */
export function fetchAutoconfigDocument(url: string, limits: AutoconfigFetchLimits, options: { allowPlainHttp?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return reject(new AutoconfigFetchError("not_https", `not a URL: ${url}`));
    }
    const plain = target.protocol === "http:" && !!options.allowPlainHttp;
    if (target.protocol !== "https:" && !plain) return reject(new AutoconfigFetchError("not_https", `not https: ${url}`));
    const host = target.hostname.replace(/^\[|\]$/g, "");
    if (net.isIP(host) && isNonPublicAddress(host) && !limits.allowNonPublicAddresses) {
      return reject(new AutoconfigFetchError("private_address", `${host} is not a public address`));
    }
    const tlsOptions = mailTlsOptions(host, limits.ca);
    const lookup = limits.allowNonPublicAddresses ? undefined : (publicOnlyLookup as unknown as typeof dns.lookup);
    const headers = { accept: "application/xml, text/xml;q=0.9", "user-agent": "Mailroom settings discovery" };
    const req = plain ? http.request(target, { method: "GET", agent: false, headers, lookup }) : https.request(target, {
      method: "GET",
      agent: false,
      headers,
      servername: tlsOptions.servername,
      secureContext: tlsOptions.secureContext,
      rejectUnauthorized: true,
      minVersion: "TLSv1.2",
      lookup,
      // https passes these on to tls.connect (the shared secure context with the extra CA).
    } as https.RequestOptions);
    const deadline = setTimeout(() => req.destroy(new AutoconfigFetchError("timeout", `no answer from ${target.host} within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(deadline);
      if (err instanceof AutoconfigFetchError) return reject(err);
      // Most domains have no autoconfig host at all: that is "nothing there", not a failure.
      const code = (err as NodeJS.ErrnoException).code;
      reject(new AutoconfigFetchError(code === "ENOTFOUND" || code === "ENODATA" ? "no_such_host" : "network", `${target.host}: ${err.message}`));
    };
    req.on("error", (err) => fail((err as { cause?: unknown }).cause instanceof AutoconfigFetchError ? ((err as { cause?: unknown }).cause as Error) : err));
    req.on("response", (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        req.destroy();
        return fail(new AutoconfigFetchError("http_status", `${target.host} answered ${res.statusCode}`));
      }
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        req.destroy();
        return fail(new AutoconfigFetchError("too_large", `${target.host} offers ${declared} bytes (limit ${limits.maxBytes})`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) {
          req.destroy();
          return fail(new AutoconfigFetchError("too_large", `${target.host} sent more than ${limits.maxBytes} bytes`));
        }
        chunks.push(chunk);
      });
      res.on("end", () => {
        clearTimeout(deadline);
        resolve(Buffer.concat(chunks).toString("utf8"));
      });
      res.on("error", fail);
    });
    req.end();
  });
}
