-- The service's own state, in its own schema: the source tables are never touched.

-- One row per reindex run. RUNNING until the alias swap is about to happen, SWAPPING from just before the swap
-- (with the swap's plan recorded), then COMPLETED or FAILED. A run left RUNNING or SWAPPING was interrupted by a crash.
create table reindex_run (
    id bigserial primary key,
    alias text not null,
    index_name text not null,
    state text not null check (state in ('RUNNING', 'SWAPPING', 'COMPLETED', 'FAILED')),
    documents bigint,
    previous_indices jsonb,
    deleted_indices jsonb,
    started_at timestamptz not null,
    completed_at timestamptz,
    error text,
    instance text not null
);

-- One row per accepted request id: waiting while run_id is null, then served by that run, and its outcome once decided.
create table reindex_request (
    request_id varchar(128) primary key,
    alias text not null,
    requested_by text,
    requested_at text,
    received_at timestamptz not null,
    run_id bigint references reindex_run,
    outcome jsonb
);

create index reindex_request_waiting on reindex_request (alias, received_at) where run_id is null;

-- Outcomes recorded but not yet acknowledged by Kafka: written in the same transaction as the decision, deleted once
-- published, so an outcome the broker did not take is published later.
create table outcome_outbox (
    id bigserial primary key,
    request_id varchar(128) not null,
    outcome jsonb not null
);
