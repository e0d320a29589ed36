import assert from "node:assert/strict";
import { localDay, localHour, localMidnight } from "./units.ts";

const at = (iso: string) => Date.parse(iso);

Deno.test("localDay() is the site's calendar day: Sydney's starts at 13:00 UTC in summer", () => {
  assert.equal(localDay(at("2026-12-07T12:59:59.999Z"), "Australia/Sydney"), at("2026-12-07T00:00:00Z"));
  assert.equal(localDay(at("2026-12-07T13:00:00Z"), "Australia/Sydney"), at("2026-12-08T00:00:00Z"));
  assert.equal(localDay(at("2026-12-08T07:59:59Z"), "America/Los_Angeles"), at("2026-12-07T00:00:00Z"));
  assert.equal(localDay(at("2026-12-08T08:00:00Z"), "America/Los_Angeles"), at("2026-12-08T00:00:00Z"));
  assert.equal(localDay(at("2026-12-08T08:00:00Z"), "UTC"), at("2026-12-08T00:00:00Z"));
  assert.equal(localMidnight(at("2026-12-07T13:00:00Z"), "Australia/Sydney"), at("2026-12-07T13:00:00Z"));
  assert.equal(localMidnight(at("2026-12-08T07:59:59Z"), "America/Los_Angeles"), at("2026-12-07T08:00:00Z"));
});

Deno.test("localHour() begins at :30 UTC in a zone half an hour off, and follows daylight saving", () => {
  assert.equal(localHour(at("2026-12-07T10:29:59Z"), "Australia/Adelaide"), at("2026-12-07T09:30:00Z"));
  assert.equal(localHour(at("2026-12-07T10:30:00Z"), "Australia/Adelaide"), at("2026-12-07T10:30:00Z"));
  assert.equal(localHour(at("2026-12-07T10:45:12.345Z"), "America/Los_Angeles"), at("2026-12-07T10:00:00Z"));
  // Los Angeles leaves daylight saving on 2026-11-01: 01:00-02:00 local happens twice, 08:00 and 09:00 UTC.
  assert.equal(localHour(at("2026-11-01T08:30:00Z"), "America/Los_Angeles"), at("2026-11-01T08:00:00Z"));
  assert.equal(localHour(at("2026-11-01T09:30:00Z"), "America/Los_Angeles"), at("2026-11-01T09:00:00Z"));
});
