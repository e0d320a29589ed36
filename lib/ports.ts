// Which process listens on a TCP port, so a start that finds its port taken can say by whom instead
// of failing later and elsewhere (another instance answering our health check, say).
export type PortHolder = { pid: number; command: string };

const LISTEN = "0A";

/** The socket inodes listening on `port` (any address, IPv4 or IPv6), from /proc/net; undefined without it. */
function listeningInodes(port: number): Set<string> | undefined {
  let inodes: Set<string> | undefined;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = Deno.readTextFileSync(table);
    } catch {
      continue;
    }
    inodes ??= new Set();
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== LISTEN) continue;
      if (parseInt(cols[1].split(":")[1], 16) === port) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** The process holding a listening socket on `port`, or undefined when the port is free or its holder hidden. */
export function portHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (!inodes || inodes.size === 0) return undefined;
  for (const proc of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(proc.name)) continue;
    try {
      for (const fd of Deno.readDirSync(`/proc/${proc.name}/fd`)) {
        const target = Deno.readLinkSync(`/proc/${proc.name}/fd/${fd.name}`);
        const inode = target.match(/^socket:\[(\d+)\]$/)?.[1];
        if (inode && inodes.has(inode)) {
          const command = Deno.readTextFileSync(`/proc/${proc.name}/cmdline`).split("\0").join(" ").trim();
          return { pid: Number(proc.name), command };
        }
      }
    } catch {
      // A process that ended, or one we may not look into.
    }
  }
  return { pid: 0, command: "(a process this user cannot see)" };
}

/**
 * True when nothing listens on `port`. Only a listener counts: a port that is the local end of another
 * connection can still be listened on (servers bind with SO_REUSEADDR), and a test bind would call it
 * taken. Without /proc, a test bind decides.
 */
export function portFree(port: number, hostname = "127.0.0.1"): boolean {
  const listening = listeningInodes(port);
  if (listening) return listening.size === 0;
  try {
    Deno.listen({ hostname, port }).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}

/**
 * Where the kernel starts handing out ports to outgoing connections. A port checked free and bound
 * seconds later (a JVM's) can be taken meanwhile by a client connection in that range (seen:
 * "Address already in use" for a cluster's third broker, about one run in ten).
 */
function ephemeralPortStart(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").trim().split(/\s+/)[0]) ||
      32_768;
  } catch {
    return 32_768;
  }
}

/** A base port whose next `count` ports are all free right now, all below the ephemeral range. */
export function freePortRange(count: number): number {
  const below = ephemeralPortStart() - count;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10_000 + 2 * Math.floor(Math.random() * ((below - 10_000) / 2));
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < count; i++) listeners.push(Deno.listen({ hostname: "127.0.0.1", port: base + i }));
      return base;
    } catch {
      /* taken: try another */
    } finally {
      for (const l of listeners) l.close();
    }
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}
