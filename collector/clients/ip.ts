// The client's IP is personal data: it is truncated (IPv4 to /24, IPv6 to /48) and hashed with a
// salt derived from a secret and the UTC date, so the same visitor hashes alike within one day
// and cannot be linked across days. The raw address is used only inside this request and is
// never published, logged or stored.
const DAY_MS = 24 * 60 * 60 * 1000;

export function truncateIp(ip: string): string {
  const address = parseIp(ip);
  if (address?.length === 4) return `${address.slice(0, 3).join(".")}.0`;
  return address ? `${address.slice(0, 3).map((g) => g.toString(16)).join(":")}::` : "";
}

/**
 * What one client's rate budget is keyed by: an IPv4 address, or an IPv6 /64 (the smallest block
 * a network hands a subscriber: keying whole IPv6 addresses would give each client 2^64 budgets).
 * Anything that is not an address is "unknown", and all such requests share one budget.
 */
export function clientNetwork(ip: string): string {
  const address = parseIp(ip);
  if (address?.length === 4) return address.join(".");
  return address ? `${address.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64` : "unknown";
}

/**
 * The four octets of an IPv4 address or the eight groups of an IPv6 one, IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4 peers) as IPv4. Accepts the forms
 * proxies write: a zone (`%eth0`), brackets, a port (`192.0.2.1:443`, `[2001:db8::1]:443`).
 */
function parseIp(text: string): number[] | undefined {
  const bare = /^\[([^\]]+)\](?::\d+)?$/.exec(text)?.[1] ?? text.replace(/^([\d.]+):\d+$/, "$1");
  const [head] = bare.split("%");
  const address = ipv4(head) ?? ipv6(head);
  const mapped = address?.length === 8 && address.slice(0, 6).every((g, i) => g === (i === 5 ? 0xffff : 0));
  return mapped ? [address[6] >> 8, address[6] & 255, address[7] >> 8, address[7] & 255] : address;
}

function ipv4(text: string): number[] | undefined {
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)?.slice(1).map(Number);
  return octets?.every((o) => o <= 255) ? octets : undefined;
}

function ipv6(text: string): number[] | undefined {
  const quad = /:(\d+\.[\d.]+)$/.exec(text); // an IPv4 address written as the last two groups
  const octets = quad ? ipv4(quad[1]) : undefined;
  if (quad && !octets) return undefined;
  const hex = octets
    ? `${text.slice(0, -quad![1].length)}${(octets[0] << 8 | octets[1]).toString(16)}:${
      (octets[2] << 8 | octets[3]).toString(16)
    }`
    : text;
  const halves = hex.split("::");
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves[1] ? halves[1].split(":") : [];
  // "::" stands for at least one group of zeros, and only once.
  if (halves.length > 2 || (halves.length === 2 && left.length + right.length > 7)) return undefined;
  const groups = halves.length === 2
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
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

  /** A per-day key of the client's network (`clientNetwork`), for rate limiting in memory only. */
  async bucketKey(ip: string, now: number): Promise<string> {
    return hex(await this.#mac(now, `net:${clientNetwork(ip)}`)).slice(0, 24);
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
