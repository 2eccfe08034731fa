import { NextResponse, type NextRequest } from "next/server";

// Pages a signed-out visitor may open. Everything else needs a session cookie here;
// the page itself then checks the session and the privilege on the server.
const PUBLIC = [/^\/$/, /^\/sign-in/, /^\/setup/, /^\/api\/auth\//, /^\/api\/health/, /^\/metrics$/, /^\/locale/];

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const hasSession = request.cookies.getAll().some((c) => c.name.endsWith("authjs.session-token"));
  if (!hasSession && !PUBLIC.some((re) => re.test(pathname))) {
    const url = request.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = "";
    return NextResponse.redirect(url);
  }
  const res = NextResponse.next();
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
