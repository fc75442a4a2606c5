-- The alias of the deployment whose relay publishes the outcome, to its own topic: deployments of other aliases may
-- share this schema, and must not publish each other's outcomes. Rows from before are given the alias of their
-- request, or else the one the outcome names; a row left without one goes to the first relay that claims it, as before.
alter table outcome_outbox add column alias text;
update outcome_outbox o set alias = r.alias from reindex_request r where r.request_id = o.request_id;
update outcome_outbox set alias = outcome ->> 'alias' where alias is null;
