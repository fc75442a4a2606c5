-- Pages the current claimant of a slice has read in its pass, written with each renewal of its claim: the run's
-- leader sees a long pass move (its liveness) without a write per page.
alter table run_slice add column pages integer not null default 0;
