-- Whether a request lets its run swap in an index that the shrink guard (reindex.swap.min-ratio) would refuse: a run
-- serves every request that waited, and swaps anyway when any of them says so, after a crash too.
alter table reindex_request add column force boolean not null default false;
