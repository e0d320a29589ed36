// Test doubles for the SDK: a fake window per "tab" over a shared fake browser (clock, storage,
// Web Locks, network). No DOM library: only what the SDK touches, checked by `Win`.
import type { Win } from "./env.ts";
import type { BatchBody, Event } from "./types.ts";

export class FakeClock {
  now = 1_700_000_000_000;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;

  setTimeout = (fn: () => void, ms = 0): number => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimeout = (id?: number): void => void this.#timers.delete(id!);

  /** Advances time by `ms`, firing due timers in order and letting their promises settle. */
  async tick(ms: number): Promise<void> {
    const end = this.now + ms;
    await settle();
    for (;;) {
      const due = [...this.#timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
      await settle();
    }
    this.now = end;
  }

  /** Milliseconds until the next timer, or undefined when none is pending. */
  get nextIn(): number | undefined {
    const ats = [...this.#timers.values()].map((t) => t.at - this.now);
    return ats.length ? Math.min(...ats) : undefined;
  }
}

/** Lets pending promise callbacks run (fake fetch answers, lock grants). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export class FakeStorage implements Storage {
  map = new Map<string, string>();
  /** Throw on every write, like a full or forbidden storage. */
  broken = false;
  /** Refuse writes that would make the total larger than this many characters. */
  quota = Infinity;
  get length() {
    return this.map.size;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k: string) {
    if (this.broken) throw new Error("SecurityError");
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    const total = [...this.map].reduce((n, [key, val]) => n + (key == k ? 0 : val.length), 0);
    if (this.broken || total + v.length > this.quota) throw new Error("QuotaExceededError");
    this.map.set(k, String(v));
  }
  removeItem(k: string) {
    if (this.broken) throw new Error("SecurityError");
    this.map.delete(k);
  }
  clear() {
    this.map.clear();
  }
  [name: string]: unknown;
}

/** Web Locks shared by the tabs of one fake browser; a closed tab releases what it held. */
export class FakeLocks {
  held = new Map<string, FakeTab>();
  view(tab: FakeTab) {
    return {
      request: (name: string, a: unknown, b?: unknown) => {
        const opts = (typeof a == "function" ? {} : a) as { ifAvailable?: boolean };
        const cb = (typeof a == "function" ? a : b) as (lock: unknown) => unknown;
        if (this.held.has(name)) {
          if (opts.ifAvailable) return Promise.resolve().then(() => cb(null));
          return new Promise(() => {}); // waits forever; the SDK never does this
        }
        this.held.set(name, tab);
        return Promise.resolve().then(() => cb({ name })).finally(() => this.held.delete(name));
      },
    };
  }
  releaseAll(tab: FakeTab) {
    for (const [name, owner] of this.held) if (owner == tab) this.held.delete(name);
  }
}

export type Sent = { url: string; body: BatchBody; via: "fetch" | "beacon"; bytes: number };
type Answer = { status: number; headers?: Record<string, string> } | "network-error";

/** The collector as the SDK sees it: records requests, answers with `answer`. */
export class FakeNet {
  sent: Sent[] = [];
  answer: Answer | ((body: BatchBody) => Answer) = { status: 202 };
  beaconAccepts = true;

  get events(): Event[] {
    return this.sent.flatMap((s) => s.body.events);
  }
  record(url: string, body: string, via: Sent["via"]) {
    this.sent.push({ url, body: JSON.parse(body), via, bytes: new Blob([body]).size });
  }
  fetch = (url: string, init: RequestInit): Promise<Response> => {
    this.record(url, init.body as string, "fetch");
    const body = this.sent[this.sent.length - 1].body;
    const a = typeof this.answer == "function" ? this.answer(body) : this.answer;
    if (a == "network-error") return Promise.reject(new TypeError("Failed to fetch"));
    return Promise.resolve(new Response(a.status == 204 ? null : "{}", a));
  };
}

/** One browser profile: clock, storage, locks and network shared by its tabs. */
export class FakeBrowser {
  clock = new FakeClock();
  localStorage = new FakeStorage();
  locks = new FakeLocks();
  net = new FakeNet();
  random = 0.5;
  dnt?: string;
  gpc?: boolean;
  withLocks = true;

  open(url = "https://shop.example/"): FakeTab {
    return new FakeTab(this, url);
  }
}

type Listener = (e: { type: string; persisted?: boolean }) => void;

class Target {
  listeners = new Map<string, Listener[]>();
  addEventListener = (type: string, fn: Listener) => {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  };
  dispatch(type: string, extra: object = {}) {
    for (const fn of this.listeners.get(type) ?? []) fn({ type, ...extra });
  }
}

export class FakeTab extends Target {
  location: URL;
  document: Target & { title: string; referrer: string; visibilityState: string };
  history: { pushState: History["pushState"]; replaceState: History["replaceState"] };
  sessionStorage = new FakeStorage();
  win: Win;
  /** False once the page is gone: its timers and answers never reach its code again. */
  alive = true;

  constructor(readonly browser: FakeBrowser, url: string) {
    super();
    this.location = new URL(url);
    this.document = Object.assign(new Target(), { title: "Shop", referrer: "", visibilityState: "visible" });
    const go = (_s: unknown, _t: string, u?: string | URL | null) => {
      if (u != null) this.location = new URL(u, this.location);
    };
    this.history = { pushState: go, replaceState: go };
    const b = browser;
    // deno-lint-ignore no-this-alias
    const tab = this;
    const nav = {
      language: "en-GB",
      get doNotTrack() {
        return b.dnt ?? null;
      },
      get globalPrivacyControl() {
        return b.gpc;
      },
      sendBeacon: (u: string, body: string) => {
        if (!tab.alive || !b.net.beaconAccepts) return false;
        b.net.record(u, body, "beacon");
        return true;
      },
      locks: b.withLocks ? b.locks.view(this) : undefined,
    };
    this.win = {
      get location() {
        return tab.location;
      },
      document: this.document,
      navigator: nav,
      history: this.history,
      localStorage: b.localStorage,
      sessionStorage: this.sessionStorage,
      innerWidth: 1280,
      innerHeight: 720,
      addEventListener: this.addEventListener,
      setTimeout: (fn: () => void, ms: number) => b.clock.setTimeout(() => tab.alive && fn(), ms),
      clearTimeout: b.clock.clearTimeout,
      // A request outlives its page (keepalive), but the answer never reaches a dead page.
      fetch: (u: string, init: RequestInit) =>
        b.net.fetch(u, init).then((r) => tab.alive ? r : new Promise<never>(() => {})),
      crypto,
      Date: { now: () => b.clock.now },
      Math: Object.assign(Object.create(Math), { random: () => b.random }),
    } as unknown as Win;
  }

  /** A user navigation inside the app: pushState as a router does it. */
  push(path: string) {
    this.win.history.pushState({}, "", path);
  }
  hide() {
    this.document.visibilityState = "hidden";
    this.document.dispatch("visibilitychange");
  }
  /** The page goes away: pagehide, then its locks are gone. */
  close() {
    this.dispatch("pagehide", { persisted: false });
    this.kill();
  }
  /** The tab is killed (crash, OOM, mobile discard): no events fire, locks are released. */
  kill() {
    this.alive = false;
    this.browser.locks.releaseAll(this);
  }
}
