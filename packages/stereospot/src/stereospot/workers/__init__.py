"""Queue consumers: the runtime (receive, heartbeat, delete or back off) and the handlers
for each stage of the flow."""
