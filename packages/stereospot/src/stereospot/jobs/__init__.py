"""Jobs in the domain's words: the records, their state machine and their object keys."""
