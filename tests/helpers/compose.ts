// docker-compose.yml read as compose reads it, for tests/topology_compose_test.ts: the file with
// its variables interpolated for each setup (one broker, three brokers), the operator's required
// settings, a reader of which settings a config module reads, and a small XML reader.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const composeText = Deno.readTextFileSync(`${root}docker-compose.yml`);
export const clusterEnvText = Deno.readTextFileSync(`${root}docker-compose.cluster.env`);
export const packageJson = JSON.parse(Deno.readTextFileSync(`${root}package.json`));

export type Service = {
  image?: string;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
};
export type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

export function envFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split("\n").filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l)).map((
      l,
    ) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR:?message} (required), $$ for a literal $. */
export function interpolate(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === "string") {
    return value.replace(
      /\$\$|\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g,
      (all, name: string, kind?: string, word?: string) => {
        if (all === "$$") return "$";
        const v = vars[name];
        if (v !== undefined && v !== "") return v;
        if (kind === "?") throw new Error(`required variable ${name} is missing a value: ${word}`);
        if (kind === undefined) throw new Error(`docker-compose.yml uses \${${name}} without a default`);
        return word!;
      },
    );
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)]));
  }
  return value;
}

export type Setup = { name: string; services: Record<string, Service>; compose: Compose };

/** What the operator must set (compose refuses to start without each); the sites file is a real one. */
export const sitesFile = Deno.makeTempFileSync({ suffix: ".json" });
Deno.writeTextFileSync(sitesFile, JSON.stringify({ sites: [{ id: "demo", ip_requests_per_second: 1000 }] }));
globalThis.addEventListener("unload", () => Deno.removeSync(sitesFile));
export const operatorVars: Record<string, string> = {
  CLICKHOUSE_ADMIN_PASSWORD: "admin-password-of-the-test",
  CLICKHOUSE_READER_PASSWORD: "reader-password-of-the-test",
  PROCESSOR_SQL_PASSWORD: "dashboard-password-of-the-test",
  COLLECTOR_SITES: sitesFile,
};

export function setup(name: string, setVars: Record<string, string>, extraProfiles: string[] = []): Setup {
  const vars: Record<string, string> = { ...operatorVars, ...setVars };
  const compose = interpolate(parse(composeText, { merge: true }), vars) as Compose;
  const profiles = new Set([...(vars.COMPOSE_PROFILES ?? "").split(",").filter(Boolean), ...extraProfiles]);
  const services = Object.fromEntries(
    Object.entries(compose.services).filter(([, s]) =>
      !s.profiles || s.profiles.some((p) => profiles.has(p))
    ),
  );
  return { name, services, compose };
}

export const setups = [
  setup("one broker", {}, ["simulator"]),
  setup("three brokers", envFile(clusterEnvText), ["simulator"]),
];

/** Runs a config function on a service's environment, noting which names it reads. */
export function readsOf<T>(
  config: (env: (name: string) => string | undefined) => T,
  env: Record<string, string> = {},
) {
  const names = new Set<string>();
  const value = config((name) => {
    names.add(name);
    return env[name];
  });
  return { names, value };
}

export function assertEnvKnown(
  setupName: string,
  service: string,
  env: Record<string, string>,
  names: Set<string>,
) {
  const unknown = Object.keys(env).filter((k) => !names.has(k));
  assertEquals(unknown, [], `${setupName}: ${service} sets variables its config never reads`);
}

export const kafkaNodes = (s: Setup) =>
  Object.entries(s.services).filter(([, v]) => v.image?.startsWith("apache/kafka:"));
export const denoServices = (s: Setup) =>
  Object.entries(s.services).filter(([, v]) => v.image?.startsWith("denoland/deno:"));
export const listener = (listeners: string, name: string) =>
  listeners.split(",").find((l) => l.startsWith(`${name}://`));
export const portOf = (address: string) => Number(address.slice(address.lastIndexOf(":") + 1));
export const publishedTargets = (svc: Service) => (svc.ports ?? []).map((p) => Number(p.split(":").at(-1)));

/** A small XML reader for the server's config files: elements, attributes, text; comments dropped. */
export type XmlNode = { name: string; attrs: Record<string, string>; children: XmlNode[]; text: string };

export function parseXml(text: string): XmlNode {
  const root: XmlNode = { name: "", attrs: {}, children: [], text: "" };
  const open = [root];
  for (const token of text.replace(/<!--[\s\S]*?-->/g, "").split(/(<[^>]*>)/)) {
    const top = open.at(-1)!;
    if (!token.startsWith("<")) {
      top.text += token.trim();
    } else if (token.startsWith("</")) {
      assertEquals(open.pop()!.name, token.slice(2, -1).trim(), "closing tag");
    } else {
      const m = /^<([\w.-]+)((?:\s+[\w.-]+="[^"]*")*)\s*(\/?)>$/.exec(token);
      assert(m, `well-formed tag: ${token}`);
      const attrs = Object.fromEntries([...m[2].matchAll(/([\w.-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
      const node = { name: m[1], attrs, children: [], text: "" };
      top.children.push(node);
      if (!m[3]) open.push(node);
    }
  }
  assertEquals(open.length, 1, "every element is closed");
  return root.children[0];
}

export const child = (node: XmlNode | undefined, name: string) => node?.children.find((c) => c.name === name);
