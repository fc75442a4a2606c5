-- The least definition version (reindex.definition-version) a build must have to run a request: set on the rebuilds
-- the service requests for a newer definition, so that an older build still running during a rolling deploy leaves
-- them to the newer one instead of rebuilding with the definition the request is meant to replace. Null: any build.
alter table reindex_request add column needs_definition_version integer;
