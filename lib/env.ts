// Reading settings from the environment, failing at start with the variable's name and the
// expected form, so a typo never becomes a silent default.
export type Env = (name: string) => string | undefined;

export class ConfigError extends Error {}

export const processEnv: Env = (name) => Deno.env.get(name);

export function envString(env: Env, name: string, fallback: string): string {
  const value = env(name);
  return value === undefined || value === "" ? fallback : value;
}

export function envInt(
  env: Env,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
) {
  const raw = env(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not valid: expected a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

export function envPort(env: Env, name: string, fallback: number): number {
  return envInt(env, name, fallback, { min: 0, max: 65535 });
}

export function envUrl(env: Env, name: string): URL | undefined {
  const raw = env(name);
  if (raw === undefined || raw === "") return undefined;
  try {
    return new URL(raw);
  } catch {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not valid: expected a URL such as http://127.0.0.1:8123`,
    );
  }
}
