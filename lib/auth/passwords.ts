import bcrypt from "bcryptjs";

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
 * Why a new password is too weak, or null when it is strong enough: at least 10
 * characters, with three of lower case, upper case, digits and symbols, and not
 * containing the email's local part.
 */
export function passwordWeakness(plain: string, email = ""): string | null {
  if (plain.length < 10) return "Use at least 10 characters.";
  if (plain.length > 200) return "Use at most 200 characters.";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(plain)).length;
  if (classes < 3) return "Mix at least three of: lower case, upper case, digits, symbols.";
  const local = email.split("@")[0]?.toLowerCase();
  if (local && local.length >= 3 && plain.toLowerCase().includes(local)) return "Do not include your email name in the password.";
  return null;
}
