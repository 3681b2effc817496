"""Use cases: routers call these; these call the Store port and the clients."""
