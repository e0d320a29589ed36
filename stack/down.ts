// `deno task down`: stops what `deno task up` started.
import { stopPipeline } from "./pipeline.ts";
import { upOptions } from "./up.ts";

const stopped = await stopPipeline(upOptions().dataRoot);
console.log(stopped.length ? `stopped: ${stopped.join(", ")}` : "nothing was running");
