-- The W3C traceparent of the span that received a request (its Kafka record or HTTP call, continuing the publisher's
-- trace): the run that serves it and the outcome published for it continue that trace. Null when tracing is off.
alter table reindex_request add column traceparent text;
