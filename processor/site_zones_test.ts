import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { zoneOffsets } from "./site_zones.ts";

const s = (iso: string) => Date.parse(iso) / 1000;
const in2026 = { fromYear: 2026, toYear: 2027 };

Deno.test("zoneOffsets() finds each daylight-saving change to the second, and UTC has none", () => {
  assertEquals(zoneOffsets("Australia/Sydney", in2026), {
    changes: [s("2026-04-04T16:00:00Z"), s("2026-10-03T16:00:00Z")],
    offsets: [11 * 3600, 10 * 3600, 11 * 3600],
  });
  assertEquals(zoneOffsets("America/Los_Angeles", in2026), {
    changes: [s("2026-03-08T10:00:00Z"), s("2026-11-01T09:00:00Z")],
    offsets: [-8 * 3600, -7 * 3600, -8 * 3600],
  });
  // Half an hour off the hour, and never changing.
  assertEquals(zoneOffsets("Australia/Adelaide", in2026).offsets, [37_800, 34_200, 37_800]);
  assertEquals(zoneOffsets("Asia/Kolkata", in2026), { changes: [], offsets: [19_800] });
  assertEquals(zoneOffsets("UTC"), { changes: [], offsets: [0] });
});
