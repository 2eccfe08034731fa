import { env, type Env } from "../env";
import { parseKeyring, type Keyring } from "./parse-keyring";

const cache = new WeakMap<Env, Keyring>();

/** The keyring from the environment (MAILROOM_SECRET_KEY, MAILROOM_OLD_SECRET_KEYS), parsed once per environment. */
export function loadKeyring(e: Env = env()): Keyring {
  let keyring = cache.get(e);
  if (!keyring) {
    keyring = parseKeyring(e.MAILROOM_SECRET_KEY, e.MAILROOM_OLD_SECRET_KEYS);
    cache.set(e, keyring);
  }
  return keyring;
}
