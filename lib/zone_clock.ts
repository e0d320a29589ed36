// A time zone's wall clock from Intl (the IANA data the runtime carries): the site's days and hours, for
// the processor's offsets table and for the ground truth alike.
const formats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The zone's wall clock at `t` (Unix ms) read as if it were UTC, in ms, to the whole second. */
export function wallClockMs(t: number, timeZone: string): number {
  const p = Object.fromEntries(zoneFormat(timeZone).formatToParts(t).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** The zone's offset from UTC at `unixS` (whole seconds), in seconds. */
export function utcOffsetS(unixS: number, timeZone: string): number {
  return wallClockMs(unixS * 1000, timeZone) / 1000 - unixS;
}
