-- Where a running run stands, written by the instance that runs it on every progress tick, so that every replica of
-- the service answers GET /reindex/runs alike. Null until the first tick; kept as the last tick once the run ended.
alter table reindex_run
    add column stage text,
    add column progress_documents bigint,
    add column progress_expected bigint,
    add column progress_rate double precision,
    add column progress_eta_seconds bigint,
    add column progress_updated_at timestamptz;
