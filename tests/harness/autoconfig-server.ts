import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TestKeyPair } from "./tls";

/** What the server answers for one path: a document, or a misbehaviour to test the client's limits. */
export type AutoconfigRoute =
  | { xml: string }
  | { status: number; location?: string }
  | { hang: true }
  | { bytes: number; declareLength?: boolean };

export type AutoconfigServer = {
  /** https://127.0.0.1:<port>: discovery's autoconfigBase. */
  base: string;
  port: number;
  /** Routes by the path after the base, e.g. "/autoconfig.example.org/mail/config-v1.1.xml" (query left out). */
  routes: Map<string, AutoconfigRoute>;
  /** Every request's path and query, in order. */
  requests: string[];
  close(): Promise<void>;
};

/**
 * A local HTTPS (or plain HTTP) server standing in for every autoconfig host (the discovery code
 * is pointed at it with autoconfigBase, so the host name becomes the first path
 * segment). It presents the test PKI's certificate; 404 for unknown paths.
 */
export async function startAutoconfigServer(cert: TestKeyPair | "plain-http", port = 0): Promise<AutoconfigServer> {
  const routes = new Map<string, AutoconfigRoute>();
  const requests: string[] = [];
  const handler: http.RequestListener = (req, res) => {
    requests.push(req.url ?? "");
    const route = routes.get((req.url ?? "").split("?")[0]);
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    } else if ("xml" in route) {
      res.writeHead(200, { "content-type": "application/xml" }).end(route.xml);
    } else if ("status" in route) {
      res.writeHead(route.status, route.location ? { location: route.location } : {}).end();
    } else if ("hang" in route) {
      // Never answers: the client's deadline must end it.
      req.socket.setTimeout(0);
    } else {
      res.writeHead(200, { "content-type": "application/xml", ...(route.declareLength ? { "content-length": String(route.bytes) } : {}) });
      res.end(Buffer.alloc(route.bytes, "<"));
    }
  };
  // "plain-http": the one autoconfig URL Mozilla's scheme still tries without TLS.
  const server = cert === "plain-http" ? http.createServer(handler) : https.createServer({ cert: cert.certPem, key: cert.keyPem }, handler);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    base: `${cert === "plain-http" ? "http" : "https"}://127.0.0.1:${bound}`,
    port: bound,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
