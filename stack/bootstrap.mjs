#!/usr/bin/env node
// `npm run demo` and `npm test` on a machine that may have nothing but Node, Java and Maven:
// installs what is missing (npm packages when package-lock.json changed, the Deno binary, the
// Kafka jars, the SDK bundle, Chromium for the browser tests), then runs the Deno task. Plain Node, no
// dependencies, because it runs before anything is installed.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const task = process.argv[2];
if (!["demo", "test"].includes(task)) {
  console.error(`usage: node stack/bootstrap.mjs demo|test (got ${JSON.stringify(task)})`);
  process.exit(2);
}

function step(what, fn) {
  const started = Date.now();
  process.stderr.write(`» ${what}\n`);
  fn();
  process.stderr.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
  }
}

function ensureNpmPackages() {
  const lock = readFileSync(join(root, "package-lock.json"));
  // Hash before installing: the hash of the committed lock file decides whether to install again.
  const hash = createHash("sha256").update(lock).digest("hex");
  const stamp = join(root, "node_modules", ".shoptrail-lock-hash");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  step("Installing npm packages (package-lock.json changed or first run)", () => {
    // `npm install`, not `npm ci`: chdb's optional per-platform packages are only partly recorded in
    // a lock file written on one platform, which `npm ci` refuses as out of sync.
    run("npm", ["install", "--no-audit", "--no-fund"]);
    writeFileSync(stamp, hash);
  });
}

/** The Deno binary from the npm package (its bin.cjs puts it in place on first use). */
function ensureDeno() {
  const deno = join(root, "node_modules", "deno", "deno");
  if (!existsSync(deno)) {
    step("Placing the Deno binary from the npm package", () => {
      run("node", [join(root, "node_modules", "deno", "bin.cjs"), "--version"]);
    });
  }
  return deno;
}

function ensureKafka(deno) {
  run(deno, ["run", "-A", join(root, "kafka", "fetch.ts")]);
}

/** sdk/dist/ is not committed: the collector's /sdk.js and the demo storefront need it built. */
function ensureSdk(deno) {
  run(deno, ["run", "-A", join(root, "sdk", "build.ts"), "--if-stale"]);
}

function ensureChromium() {
  if (existsSync("/usr/bin/chromium")) return;
  step("Installing Debian's chromium for the browser tests (apt-get)", () => {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const apt = (args) =>
      process.getuid?.() === 0 ? run("apt-get", args, { env }) : run("sudo", ["apt-get", ...args], { env });
    apt(["update", "-qq"]);
    apt(["install", "-y", "-qq", "--no-install-recommends", "chromium"]);
  });
}

/** Deno's reporter ends with "ok | 12 passed (3 steps) | 0 failed (40s)"; CI reads "N passed, N failed". */
function summarize(output) {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const lines = plain.split("\n").filter((l) => /\|\s*\d+ passed.*\|\s*\d+ failed/.test(l));
  const last = lines.at(-1);
  if (!last) return undefined;
  const passed = Number(last.match(/(\d+) passed/)[1]);
  const failed = Number(last.match(/(\d+) failed/)[1]);
  return `${passed} passed, ${failed} failed`;
}

function runTask(deno) {
  const child = spawn(deno, ["task", task], {
    cwd: root,
    stdio: task === "test" ? ["inherit", "pipe", "inherit"] : "inherit",
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    process.stdout.write(chunk);
    output += chunk.toString();
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    if (task === "test") {
      const line = summarize(output);
      if (line) console.log(line);
      else console.log(`0 passed, 1 failed`); // the runner died before its summary
    }
    process.exit(code ?? (signal ? 1 : 0));
  });
}

try {
  mkdirSync(join(root, ".cache"), { recursive: true });
  ensureNpmPackages();
  const deno = ensureDeno();
  ensureKafka(deno);
  ensureSdk(deno);
  if (task === "test") ensureChromium();
  runTask(deno);
} catch (error) {
  console.error(`\n${task} could not start: ${error.message}`);
  if (task === "test") console.log("0 passed, 1 failed");
  process.exit(1);
}
