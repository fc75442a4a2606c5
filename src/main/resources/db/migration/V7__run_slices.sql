-- A run's work, split into ranges of company ids that every live instance of the service takes: the companies with an
-- id in (after_id, last_id]. The first slice starts below every id and the last ends above every id, so a company
-- published during the run lands in one slice whatever its id.
--
-- Pass 0 is the load, each later pass one catch-up pass; the leader of the run opens a pass on every slice at once and
-- waits until all are done. A slice is claimed by one instance until claimed_until, which that instance renews as it
-- goes: a slice whose instance died or stopped is taken again once its claim expires or is handed back. What the index
-- holds for a slice after its last finished pass is kept with it, written in the same transaction as the done mark:
-- its documents and their fingerprints (12 bytes a company, in id order). The slices of a run go when it ends.
create table run_slice (
    run_id bigint not null references reindex_run on delete cascade,
    slice integer not null,
    after_id integer not null,
    last_id integer not null,
    pass integer not null default 0,
    done boolean not null default false,
    claimed_by text,
    claimed_until timestamptz,
    attempts integer not null default 0,
    documents bigint not null default 0,
    changes bigint not null default 0,
    bytes bigint not null default 0,
    fingerprints bytea,
    error text,
    primary key (run_id, slice)
);

create index run_slice_open on run_slice (run_id, slice) where not done;

-- The fingerprints of a run now live with its slices, from the load on, not only from the swap.
drop table run_fingerprints;
