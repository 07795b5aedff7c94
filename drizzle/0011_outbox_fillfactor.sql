-- Half of each page left free: the relay's claim (lease_until, attempts: no indexed column) then rewrites a row in
-- its own page, a HOT update that adds no index entries; PostgreSQL CPU per delivered event ~131 -> ~108 us
-- (issue 15, bench/outbox-cost.ts with COST_DDL). Rows live for seconds, so the space is only held by a backlog.
ALTER TABLE "analytics_outbox" SET (fillfactor = 50);
