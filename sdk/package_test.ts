// The SDK as an npm package, tested the way a shop's developers test it: `npm pack` of sdk/, the
// tarball installed into a scratch project (.cache/sdk-package/) with vitest, happy-dom and
// vitest's browser mode (Debian's Chromium through playwright, no browser download) from sdk/'s
// own devDependencies, then the specs of sdk/package_test/ run there by vitest.
// The suite runs while this module loads, and each vitest test becomes one Deno test here, so
// `npm test`'s closing "N passed, N failed" counts them one by one. A setup that fails (no
// registry, no Chromium) is one failing test that says where it stopped.
import { fail } from "node:assert/strict";
import { buildIfStale } from "./build.ts";

const sdk = new URL(".", import.meta.url).pathname;
const scratch = new URL("../.cache/sdk-package/", import.meta.url).pathname;
const specs = `${sdk}package_test/`;

type Outcome = { name: string; status: string; failureMessages: string[] };

/** Runs a command in `cwd` and returns its standard output; its output on failure becomes the error. */
async function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    cwd,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(stdout);
  if (code != 0) {
    const all = text + new TextDecoder().decode(stderr);
    throw new Error(
      `${cmd} ${args.join(" ")} (in ${cwd}) exited ${code}:\n${all.slice(-4000)}`,
    );
  }
  return text;
}

/** Packs sdk/ and installs the tarball, under a name that changes with its content, in the scratch project. */
async function install(): Promise<void> {
  await buildIfStale();
  await Deno.mkdir(`${scratch}test`, { recursive: true });
  for await (const old of Deno.readDir(scratch)) {
    if (old.name.endsWith(".tgz")) await Deno.remove(scratch + old.name);
  }
  // sdk/'s prepack (the build, a no-op here) prints before npm's JSON.
  const out = await run("npm", [
    "pack",
    sdk,
    "--json",
    "--pack-destination",
    scratch,
  ], scratch);
  const [packed] = JSON.parse(out.slice(out.search(/^\[/m)));
  const tarball = `shoptrail-sdk-${packed.shasum.slice(0, 12)}.tgz`;
  await Deno.rename(scratch + packed.filename, scratch + tarball);
  const manifest = JSON.parse(await Deno.readTextFile(`${sdk}package.json`));
  await Deno.writeTextFile(
    `${scratch}package.json`,
    JSON.stringify(
      {
        name: "shop-under-test",
        private: true,
        type: "module",
        devDependencies: {
          ...manifest.devDependencies,
          "@shoptrail/sdk": `file:./${tarball}`,
        },
      },
      null,
      2,
    ) + "\n",
  );
  await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline"],
    scratch,
    {
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
    },
  );
  await Deno.remove(`${scratch}test`, { recursive: true });
  await Deno.mkdir(`${scratch}test`);
  for await (const file of Deno.readDir(specs)) {
    const to = file.name == "vitest.config.ts" ? scratch : `${scratch}test/`;
    await Deno.copyFile(specs + file.name, to + file.name);
  }
}

/** vitest's JSON report of the specs, one outcome per test. */
async function vitest(): Promise<Outcome[]> {
  const report = `${scratch}report.json`;
  await Deno.remove(report).catch(() => {});
  // A failing spec exits non-zero: the report says which, so the exit code is not the verdict.
  await run("node", [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--reporter=json",
    `--outputFile.json=${report}`,
  ], scratch).catch((error) => {
    if (!Deno.statSync(report).isFile) throw error;
  });
  const { testResults } = JSON.parse(await Deno.readTextFile(report)) as {
    testResults: {
      name: string;
      assertionResults: (Outcome & { ancestorTitles: string[]; title: string })[];
    }[];
  };
  return testResults.flatMap((file) =>
    file.assertionResults.map((a) => ({
      ...a,
      name: [file.name.split("/").pop(), ...a.ancestorTitles, a.title].join(
        " > ",
      ),
    }))
  );
}

const outcomes = await install().then(vitest).catch((error: Error) => error);
if (outcomes instanceof Error) {
  Deno.test("the SDK's npm package installs from its tarball and its vitest suite runs", () => {
    throw outcomes;
  });
} else {
  if (outcomes.length == 0) {
    Deno.test("the SDK's vitest suite ran tests", () => fail("vitest reported no test"));
  }
  for (const o of outcomes) {
    Deno.test(`sdk package (vitest): ${o.name}`, () => {
      if (o.status != "passed") {
        fail(`${o.status}\n${o.failureMessages.join("\n")}`);
      }
    });
  }
}
