-- Claims of a slice's pass that ended in a hand-back (a graceful shutdown, a database blip): attempts minus these are
-- the attempts that failed, which alone count towards failing the run; attempts alone still tell whether an earlier
-- claim may have sent part of the slice.
alter table run_slice add column handed_back integer not null default 0;
