// Every stage's table of hostile cases, in the order of the stages: the suite (hostile_test.ts)
// sends them through the app, validate_check_test.ts holds the compiled check to zod on them.
import { admitCases } from "./admit_hostile.ts";
import { decodeCases } from "./decode_hostile.ts";
import type { HostileCase } from "./hostile.ts";
import { readBodyCases } from "./read_body_hostile.ts";
import { envelopeCases } from "./validate_envelope_hostile.ts";
import { eventCases } from "./validate_event_hostile.ts";
import { valueCases } from "./validate_value_hostile.ts";

export const hostileCases: HostileCase[] = [
  ...readBodyCases,
  ...decodeCases,
  ...envelopeCases,
  ...admitCases,
  ...eventCases,
  ...valueCases,
];
