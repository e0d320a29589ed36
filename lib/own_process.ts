// For a test file that must not share its process: chdb holds one data directory per process and
// cannot start its Kafka engine again once a session has closed, so a test that opens and closes an
// embedded engine would break every later test file's engine in the same `deno test` run.
import { fileURLToPath } from "node:url";

const MARK = "SHOPTRAIL_OWN_PROCESS";

/**
 * In the `deno test` run, registers one test that runs `moduleUrl` under `deno test` in a child
 * process and passes when all of its tests pass (their output is shown when they fail); returns
 * false there. In that child, returns true: the caller registers its real tests.
 */
export function inOwnProcess(moduleUrl: string, name: string): boolean {
  if (Deno.env.get(MARK) === moduleUrl) return true;
  Deno.test(`${name} (in a process of its own)`, async () => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", fileURLToPath(moduleUrl)],
      env: { [MARK]: moduleUrl, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    if (output.code !== 0) throw new Error(`the tests of ${fileURLToPath(moduleUrl)} failed:\n${text}`);
    const summary = text.match(/ok \| (\d+) passed.*\| 0 failed/);
    if (!summary || Number(summary[1]) === 0) throw new Error(`no test passed in the child:\n${text}`);
  });
  return false;
}
