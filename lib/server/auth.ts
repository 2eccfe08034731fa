import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { log } from "@/lib/log";
import { endUserSessions } from "@/lib/users/end-user-sessions";
import { loadActor } from "@/lib/users/load-actor";
import { verifyCredentials } from "@/lib/users/verify-credentials";
import { getDb } from "./db";
import { clientAddress } from "./client-address";

/** Thrown to the sign-in action when the throttle refuses; `code` carries the wait in seconds. */
class RateLimited extends CredentialsSignin {
  constructor(seconds: number) {
    super();
    this.code = `rate_limited:${seconds}`;
  }
}

/** A session as getActor sees it: the user id and the session version it was issued under. */
export type SessionWithVersion = { user?: { id?: string }; sessionVersion?: number; tokenExpiresAt?: number };

// AUTH_SECRET is read by next-auth itself from the environment (npm start provides one).
export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  pages: { signIn: "/sign-in" },
  // A wrong password is expected, not an error: the throttle counts it. Anything else
  // goes to our structured log (which redacts secrets), not next-auth's stack dumps.
  logger: {
    error(error) {
      // By type: the production build minifies class names, so error.name is not "CredentialsSignin" there.
      if ((error as { type?: string }).type === "CredentialsSignin" || error.name === "CredentialsSignin") return;
      log("error", "auth error", { err: error, type: (error as { type?: string }).type });
    },
    warn(code) {
      log("warn", "auth warning", { code });
    },
  },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials, request) {
        const result = await verifyCredentials(getDb(), {
          email: String(credentials?.email ?? ""),
          password: String(credentials?.password ?? ""),
          ip: clientAddress(request.headers),
        });
        if (result.ok) return { id: result.actor.id, email: result.actor.email, name: result.actor.name, sessionVersion: result.sessionVersion };
        if (result.reason === "rate_limited") throw new RateLimited(result.retryAfterSeconds);
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) {
        token.uid = user.id;
        token.sv = (user as { sessionVersion?: number }).sessionVersion;
      }
      return token;
    },
    session({ session, token }) {
      if (typeof token.uid === "string") session.user.id = token.uid;
      // getActor compares it with the user's current version on every request.
      if (typeof token.sv === "number") (session as SessionWithVersion).sessionVersion = token.sv;
      // Seconds since the epoch: how long getActor may remember this decoded cookie.
      if (typeof token.exp === "number") (session as SessionWithVersion).tokenExpiresAt = token.exp;
      return session;
    },
  },
  events: {
    // Signing out ends the session for good: the token in the cookie jar (or a copy of it)
    // would otherwise stay valid until it expires. This ends the user's other sessions too.
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (typeof token?.uid !== "string" || typeof token.sv !== "number") return;
      const actor = await loadActor(getDb(), token.uid, token.sv);
      if (actor) await endUserSessions(getDb(), actor, actor.id);
    },
  },
});
