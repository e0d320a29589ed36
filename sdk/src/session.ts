// Identity: a first-party anonymous id (localStorage, no cookies) and a session that ends after
// 30 minutes idle or 24 hours. Sessions are shared by the tabs of a browser through localStorage;
// while consent is withheld the session lives in sessionStorage (this tab only) and no
// anonymous id exists.
import { KEY, SESSION_IDLE_MS, SESSION_MAX_MS } from "./config.ts";
import { uuid, type Win } from "./env.ts";
import { load, save } from "./storage.ts";

type Session = { id: string; start: number; last: number };

/** The session id for an event at `now`, starting a new session when the old one expired. */
export function sessionId(w: Win, now: number, anonymous: boolean): string {
  let s = load<Session>(w, KEY.session, anonymous) || unsaved[+anonymous];
  if (!s || now - s.last > SESSION_IDLE_MS || now - s.start > SESSION_MAX_MS || now < s.start) {
    s = { id: uuid(w), start: now, last: now };
  }
  s.last = now;
  unsaved[+anonymous] = save(w, KEY.session, s, anonymous) ? undefined : s;
  return s.id;
}
/** Where the session lives when storage refuses it, so a page without storage keeps one. */
const unsaved: (Session | undefined)[] = [];

export function anonymousId(w: Win): string {
  let id = load<string>(w, KEY.anonymous);
  if (!id) save(w, KEY.anonymous, id = uuid(w));
  return id;
}
