import bcrypt from "bcryptjs";
import type { MessageKey } from "../i18n/catalog";

/** bcrypt cost: ~250 ms per hash here, slow enough to make guessing expensive. */
const COST = 12;

/** Hashes a sign-in password with bcrypt. */
export function hashPassword(plain: string): Promise<string> {
  return bcrypt.hash(plain, COST);
}

/** Checks a sign-in password against its bcrypt hash. */
export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(plain, hash);
}

/**
 * Why a new password is too weak (a catalogue key), or null when it is strong
 * enough: at least 10 characters, with three of lower case, upper case, digits and
 * symbols, and not containing the email's local part.
 */
export function passwordWeakness(plain: string, email = ""): MessageKey | null {
  if (plain.length < 10) return "validation.password.short";
  if (plain.length > 200) return "validation.password.long";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(plain)).length;
  if (classes < 3) return "validation.password.mix";
  const local = email.split("@")[0]?.toLowerCase();
  if (local && local.length >= 3 && plain.toLowerCase().includes(local)) return "validation.password.emailName";
  return null;
}
