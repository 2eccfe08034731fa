import { NextResponse, type NextRequest } from "next/server";

// Pages a signed-out visitor may open. Everything else needs a session cookie here;
// the page itself then checks the session and the privilege on the server.
const PUBLIC = [/^\/$/, /^\/sign-in/, /^\/setup/, /^\/api\/auth\//, /^\/api\/health/, /^\/metrics$/, /^\/locale/];

// Message bodies and attachments send their own, stricter policy (lib/emails/email-body-csp.ts).
const OWN_CSP = /^\/mail\/[^/]+\/[^/]+\/(body|attachments\/[^/]+)$/;

/**
 * The app's Content-Security-Policy, as Next documents it for nonces: scripts run only
 * with this response's nonce (Next adds it to its own scripts when it finds the policy
 * on the request) or when loaded by one of them ('strict-dynamic'). Inline styles stay
 * allowed: React writes style attributes, and a style cannot run code.
 */
function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const hasSession = request.cookies.getAll().some((c) => c.name.endsWith("authjs.session-token"));
  if (!hasSession && !PUBLIC.some((re) => re.test(pathname))) {
    const url = request.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = "";
    return NextResponse.redirect(url);
  }
  let res: NextResponse;
  if (OWN_CSP.test(pathname)) {
    res = NextResponse.next();
  } else {
    const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
    const csp = contentSecurityPolicy(nonce);
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("Content-Security-Policy", csp);
    res = NextResponse.next({ request: { headers: requestHeaders } });
    res.headers.set("Content-Security-Policy", csp);
  }
  // A message body is shown in a sandboxed frame of our own page; nothing else may frame us.
  res.headers.set("X-Frame-Options", /^\/mail\/[^/]+\/[^/]+\/body$/.test(pathname) ? "SAMEORIGIN" : "DENY");
  res.headers.set("X-Content-Type-Options", "nosniff");
  res.headers.set("Referrer-Policy", "same-origin");
  return res;
}

export const config = {
  // Not for static files and images, nor for email-router ingest: a proxy buffers the body
  // (and cuts it at proxyClientMaxBodySize), while a handed-in message may be up to
  // MAILROOM_MAX_MESSAGE_BYTES; that route checks its own bearer token.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|api/ingest/).*)"],
};
