-- What the index of a run held just before its alias swap: for each company, its id and the fingerprint of the rows
-- its document was built from (12 bytes a company, in id order, in chunks). Written with the swap's plan, so that a run
-- interrupted after its swap can still catch up with the changes made around it; deleted when the run ends.
create table run_fingerprints (
    run_id bigint not null references reindex_run on delete cascade,
    chunk integer not null,
    companies bytea not null,
    primary key (run_id, chunk)
);
