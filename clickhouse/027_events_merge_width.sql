-- Wider merges of `events`: each merge takes ~10 parts of a size instead of ~5, so a row is
-- rewritten about half as often on its way into large parts. Measured on this machine
-- (loadtest/RESULTS.md, 2026-12-03): during catch-up the merges took a quarter of the processor's
-- CPU (MergeMutate 4.8 s of 17–19 s for 2M events) on two cores that the two consumers already
-- fill; with merge_selector_base 10 (default 5) 2M events caught up at 201–202k events/s from
-- "ready" instead of 164–184k, and 10M at 214k, with 16–37 active parts afterwards. 20 measured
-- 223k but leaves more parts for every query to open.
ALTER TABLE events MODIFY SETTING merge_selector_base = 10;
