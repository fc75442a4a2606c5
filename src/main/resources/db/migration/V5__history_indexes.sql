-- The runs view counts and lists the requests of each run, and the history retention deletes them run by run: both
-- look requests up by run_id, which had no index.
create index reindex_request_run on reindex_request (run_id);

-- The history retention deletes, by age, the requests answered without a run (REJECTED, SKIPPED).
create index reindex_request_answered on reindex_request (alias, received_at)
    where run_id is null and outcome is not null;
