"""Pure logic: no FastAPI, httpx, sqlite3 or AWS imports below this package."""
