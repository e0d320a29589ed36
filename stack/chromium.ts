// Debian's Chromium for the browser tests, driven by playwright-core (no browser download).
// CHROMIUM_PATH names another binary.
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** A headless Chromium; throws with the install command when the binary is missing. */
export async function launchChromium(): Promise<Browser> {
  const found = await Deno.stat(CHROMIUM).then(() => true, () => false);
  if (!found) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it with 'apt-get install -y chromium' (the stack bootstrap does).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
