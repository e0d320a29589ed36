// Fetches the pinned Apache Kafka broker jars from Maven Central once, into an ignored cache.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const pom = join(repoRoot, "kafka", "pom.xml");

export function kafkaVersion(): string {
  const match = Deno.readTextFileSync(pom).match(/<kafka\.version>([^<]+)<\/kafka\.version>/);
  if (!match) throw new Error(`kafka/pom.xml has no <kafka.version>: cannot tell which broker to run`);
  return match[1];
}

export function kafkaLibDir(): string {
  return join(repoRoot, ".cache", "kafka", kafkaVersion(), "libs");
}

/** Returns the folder of broker jars, downloading them with Maven the first time. */
export async function ensureKafkaJars(log: (line: string) => void = console.error): Promise<string> {
  const libs = kafkaLibDir();
  const marker = join(libs, ".complete");
  try {
    await Deno.stat(marker);
    return libs;
  } catch { /* not fetched yet */ }
  log(`Fetching Apache Kafka ${kafkaVersion()} jars from Maven Central into ${libs} (once)...`);
  const started = performance.now();
  const mvn = new Deno.Command("mvn", {
    args: [
      "-B",
      "-q",
      "-f",
      pom,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${libs}`,
      "-DincludeScope=runtime",
      `-Dmaven.repo.local=${join(repoRoot, ".cache", "m2")}`,
    ],
    stdout: "inherit",
    stderr: "inherit",
  });
  const { code } = await mvn.output();
  if (code !== 0) throw new Error(`mvn could not fetch the Kafka jars (exit ${code}); see its output above`);
  await Deno.writeTextFile(marker, new Date().toISOString());
  log(`Kafka jars ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return libs;
}

if (import.meta.main) await ensureKafkaJars();
