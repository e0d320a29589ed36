// Consent is withheld when the visitor opted out (persisted) or, unless configured otherwise, when
// the browser sends Do Not Track or Global Privacy Control. While withheld the SDK still counts
// page views and orders, but carries no anonymous_id or user_id and stores no identity.
import { type Config, KEY } from "./config.ts";
import type { Win } from "./env.ts";
import { load, save } from "./storage.ts";

export function withheld(w: Win, config: Config): boolean {
  const nav = w.navigator as Navigator & { globalPrivacyControl?: boolean };
  return !!load(w, KEY.optOut) ||
    (config.respectSignals != false && (nav.doNotTrack == "1" || !!nav.globalPrivacyControl));
}

/** Persists the choice; opting out also forgets the stored identity at once. */
export function setOptOut(w: Win, out: boolean): void {
  save(w, KEY.optOut, out ? 1 : undefined);
  if (out) forgetIdentity(w);
}

export function forgetIdentity(w: Win): void {
  for (const key of [KEY.anonymous, KEY.user, KEY.session]) save(w, key, undefined);
}
