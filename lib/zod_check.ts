// A zod schema compiled, once, into a yes/no check of parsed JSON. Zod's parse builds a payload, an
// output copy and an issue list per value; on the collector's hot path that was ~3 µs of a valid
// event's ~14. The check walks the schema's own definition and runs zod's own check functions (lengths,
// formats, number bounds, regexes), so the rules stay written once, in the schema. It says only yes or
// no: a caller runs zod's `safeParse` on a no, for the issues. Kinds it does not know (transforms,
// defaults, lazy, pipes, ...) stop the compilation with their name rather than being guessed at.
import type { z } from "zod";

export type Check = (value: unknown) => boolean;

/** The parts of zod's internals (`schema._zod`) the compiler reads. */
type Internals = {
  def: Record<string, unknown> & { type: string; checks?: ZodCheck[] };
  traits: Set<string>;
  values?: Set<unknown>;
  check?: (payload: Payload) => unknown;
};
type ZodCheck = { _zod: Internals & { def: { check?: string; when?: (payload: Payload) => boolean } } };
type Payload = { value: unknown; issues: unknown[] };
type Schema = { _zod: Internals };

export function compileCheck(schema: z.ZodType): Check {
  return compile(schema as unknown as Schema);
}

function compile(schema: Schema): Check {
  const zod = schema._zod;
  const base = baseOf(zod);
  // A string format (z.uuid(), z.email(), ...) is a check itself, before those added to it.
  const checks = [...(zod.traits.has("$ZodCheck") ? [schema as ZodCheck] : []), ...(zod.def.checks ?? [])];
  if (checks.length === 0) return base;
  const tests = checks.map(testOf);
  if (tests.length === 1) {
    const [test] = tests;
    return (value) => base(value) && test(value);
  }
  return (value) => {
    if (!base(value)) return false;
    for (let i = 0; i < tests.length; i++) if (!tests[i](value)) return false;
    return true;
  };
}

/**
 * One check as a predicate on a value its type already accepted. The common ones are answered here
 * when the answer is plain (calling zod's check through its payload cost as much as zod's parse);
 * anything else, and the doubtful cases, by zod's own check function.
 */
function testOf(ch: ZodCheck): Check {
  const def = ch._zod.def as Record<string, unknown> & { check?: string };
  const zod: Check = (v) => passes(ch, v);
  switch (def.check) {
    case "overwrite":
      throw unsupported("a check that rewrites the value (overwrite)");
    case "max_length": {
      // Zod counts a string's code points, at most its UTF-16 units: within the units, within the limit.
      const max = def.maximum as number;
      return (v) => (v as { length: number }).length <= max || zod(v);
    }
    case "min_length": {
      // A code point is one or two units: fewer units than the floor never reach it, twice the floor always does.
      const min = def.minimum as number;
      return (v) => {
        const units = (v as { length: number }).length;
        return units >= 2 * min || (units >= min && zod(v));
      };
    }
    case "greater_than":
    case "less_than": {
      if (typeof def.value !== "number") return zod;
      const bound = def.value;
      if (def.check === "greater_than") {
        return def.inclusive ? (v) => (v as number) >= bound : (v) => (v as number) > bound;
      }
      return def.inclusive ? (v) => (v as number) <= bound : (v) => (v as number) < bound;
    }
    case "number_format":
      return def.format === "safeint" ? (v) => Number.isSafeInteger(v) : zod;
    case "string_format": {
      // A pattern test is the whole check of a regex and of a uuid (other formats add their own code).
      const pattern = def.pattern;
      if (
        (def.format !== "regex" && def.format !== "uuid") || !(pattern instanceof RegExp) || pattern.global ||
        pattern.sticky
      ) return zod;
      return (v) => pattern.test(v as string);
    }
    default:
      return zod;
  }
}

// Zod's check functions report by pushing onto `issues`; one payload serves every call, since a
// check runs to its end before the next starts.
const payload: Payload = { value: undefined, issues: [] };

function passes(ch: ZodCheck, value: unknown): boolean {
  payload.value = value;
  payload.issues.length = 0;
  const when = ch._zod.def.when;
  if (when && !when(payload)) return true;
  ch._zod.check!(payload);
  return payload.issues.length === 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The type's own test, as zod's parse for that type (without its checks). */
function baseOf(zod: Internals): Check {
  const def = zod.def as Record<string, unknown> & { type: string };
  if (def.coerce) throw unsupported(`a coercing ${def.type}`);
  switch (def.type) {
    case "string":
      return (v) => typeof v === "string";
    case "number":
      return (v) => typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return (v) => typeof v === "boolean";
    case "unknown":
    case "any":
      return () => true;
    case "literal":
    case "enum": {
      const values = zod.values!;
      return (v) => values.has(v);
    }
    case "optional": {
      const inner = compile(def.innerType as Schema);
      return (v) => v === undefined || inner(v);
    }
    case "nullable": {
      const inner = compile(def.innerType as Schema);
      return (v) => v === null || inner(v);
    }
    case "array": {
      const element = compile(def.element as Schema);
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case "object":
      return objectOf(def);
    case "record":
      return recordOf(def);
    case "union":
      return def.discriminator === undefined ? unionOf(def) : discriminatedOf(def);
    default:
      throw unsupported(`'${def.type}'`);
  }
}

function objectOf(def: Record<string, unknown>): Check {
  // Unknown keys are left out of zod's output (its default), or kept (catchall unknown): either way accepted.
  const catchall = (def.catchall as Schema | undefined)?._zod.def.type;
  if (catchall !== undefined && catchall !== "unknown") {
    throw unsupported(`an object whose other keys are '${catchall}'`);
  }
  const fields = Object.entries(def.shape as Record<string, Schema>)
    .filter(([key]) => key !== "__proto__") // zod never reads a declared __proto__
    .map(([key, field]) => ({ key, check: compile(field) }));
  return (v) => {
    if (!isObject(v)) return false;
    for (const { key, check } of fields) if (!check(v[key])) return false;
    return true;
  };
}

function recordOf(def: Record<string, unknown>): Check {
  const keyType = def.keyType as Schema;
  // A key type of listed values makes zod require every one of them: not needed, so not guessed at.
  if (keyType._zod.values) throw unsupported("a record over listed keys");
  const key = compile(keyType);
  const value = compile(def.valueType as Schema);
  return (v) => {
    if (!isPlainObject(v)) return false;
    for (const k of Object.keys(v)) if (!key(k) || !value(v[k])) return false;
    return true;
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (!isObject(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function unionOf(def: Record<string, unknown>): Check {
  const options = (def.options as Schema[]).map(compile);
  return (v) => options.some((option) => option(v));
}

function discriminatedOf(def: Record<string, unknown>): Check {
  if (def.unionFallback) throw unsupported("a discriminated union that falls back to trying every option");
  const discriminator = def.discriminator as string;
  const byValue = new Map<unknown, Check>();
  for (const option of def.options as Schema[]) {
    const shape = option._zod.def.shape as Record<string, Schema> | undefined;
    const values = shape?.[discriminator]?._zod.values;
    if (!values) throw unsupported("a discriminated union option without literal values");
    const check = compile(option);
    for (const value of values) byValue.set(value, check);
  }
  return (v) => {
    if (!isObject(v)) return false;
    const option = byValue.get(v[discriminator]);
    return option !== undefined && option(v);
  };
}

function unsupported(what: string): Error {
  return new Error(`compileCheck: ${what} is not supported; check it with zod's safeParse instead`);
}
