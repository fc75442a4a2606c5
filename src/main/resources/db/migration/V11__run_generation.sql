-- Which take-over of a run its instance holds: each take-over adds one, and every decisive step of a run (its outcome,
-- its swap, stopping or opening its slices) is recorded only where the run's instance and generation are still the
-- ones that step's leader took, so a leader deposed while it worked records nothing.
alter table reindex_run add column generation integer not null default 1;
