// The client's IP is personal data: it is truncated (IPv4 to /24, IPv6 to /48) and hashed with a
// salt derived from a secret and the UTC date, so the same visitor hashes alike within one day
// and cannot be linked across days. The raw address is used only inside this request and is
// never published, logged or stored.
const DAY_MS = 24 * 60 * 60 * 1000;

export function truncateIp(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0`;
  if (!ip.includes(":")) return "";
  const [head] = ip.split("%"); // zone id
  const halves = head.split("::");
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves.length > 1 && halves[1] ? halves[1].split(":") : [];
  const groups = halves.length > 1
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return "";
  return `${groups.slice(0, 3).map((g) => parseInt(g, 16).toString(16)).join(":")}::`;
}

export class IpHasher {
  #secret: Promise<CryptoKey>;
  #day = -1;
  #salt?: Promise<CryptoKey>;

  /** Without a secret, a random one: hashes then differ between processes and restarts. */
  constructor(secret: string = crypto.randomUUID()) {
    this.#secret = hmacKey(new TextEncoder().encode(secret));
  }

  /** Hex of the first 16 bytes of HMAC(salt of the day, truncated IP); "" when there is no IP. */
  async hash(ip: string, now: number): Promise<string> {
    const truncated = truncateIp(ip);
    if (!truncated) return "";
    return hex(await this.#mac(now, truncated)).slice(0, 32);
  }

  /** A per-day key for the full address, for rate limiting in memory only. */
  async bucketKey(ip: string, now: number): Promise<string> {
    return ip ? hex(await this.#mac(now, `full:${ip}`)).slice(0, 24) : "";
  }

  async #mac(now: number, text: string): Promise<ArrayBuffer> {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.#day) {
      this.#day = day;
      this.#salt = this.#secret.then(async (secret) => {
        const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
        return hmacKey(
          new Uint8Array(await crypto.subtle.sign("HMAC", secret, new TextEncoder().encode(date))),
        );
      });
    }
    return crypto.subtle.sign("HMAC", await this.#salt!, new TextEncoder().encode(text));
  }
}

function hmacKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}
