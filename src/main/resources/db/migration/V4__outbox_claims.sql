-- An outcome being published is claimed by one instance until this time, so that two instances never publish the same
-- row at once; a claim that was not settled (the instance died, or Kafka never answered) expires and the row is taken
-- again.
alter table outcome_outbox add column claimed_until timestamptz;
