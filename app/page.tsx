import { redirect } from "next/navigation";
import { hasAnyUser } from "@/lib/users/has-any-user";
import { getDb } from "@/lib/server/db";
import { getActor } from "@/lib/server/session";

// The front door: first-run setup until an admin exists, then sign-in or the mailboxes.
export default async function Home() {
  if (!(await hasAnyUser(getDb()))) redirect("/setup");
  redirect((await getActor()) ? "/mailboxes" : "/sign-in");
}
