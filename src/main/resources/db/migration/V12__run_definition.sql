-- The fingerprint of the build of the service that started a run (its index definition and how it builds documents):
-- only instances of that build take the run's slices, so one index never mixes documents of two builds during a
-- rolling deploy. Null for runs started before.
alter table reindex_run add column definition text;
