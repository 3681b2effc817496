"""SQLite schema, one migration per version; `PRAGMA user_version` records where a file is."""

MIGRATIONS: tuple[str, ...] = (
    # 1: requests, library, login protection, change counter
    """
    CREATE TABLE requests (
        media_type   TEXT    NOT NULL CHECK (media_type IN ('movie', 'tv')),
        tmdb_id      INTEGER NOT NULL CHECK (tmdb_id > 0),
        title        TEXT    NOT NULL,
        year         INTEGER,
        overview     TEXT,
        poster_path  TEXT,
        imdb_id      TEXT,
        tvdb_id      INTEGER,
        status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'added')),
        requested_by TEXT    NOT NULL,
        requested_at TEXT    NOT NULL,
        added_at     TEXT,
        PRIMARY KEY (media_type, tmdb_id)
    );
    CREATE INDEX requests_by_time ON requests (requested_at DESC);
    CREATE INDEX requests_by_status ON requests (status, media_type);
    CREATE TABLE library (
        media_type TEXT    NOT NULL,
        tmdb_id    INTEGER NOT NULL,
        PRIMARY KEY (media_type, tmdb_id)
    ) WITHOUT ROWID;
    CREATE TABLE login_failures (
        key        TEXT    PRIMARY KEY,
        count      INTEGER NOT NULL,
        expires_at REAL    NOT NULL
    );
    CREATE TABLE used_challenges (
        challenge  TEXT PRIMARY KEY,
        expires_at REAL NOT NULL
    );
    CREATE INDEX used_challenges_by_expiry ON used_challenges (expires_at);
    CREATE TABLE meta (
        key   TEXT    PRIMARY KEY,
        value INTEGER NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('revision', 0);
    """,
    # 2: one expiring key-value table replaces the two login-protection tables
    """
    CREATE TABLE expiring_keys (
        key        TEXT    PRIMARY KEY,
        value      TEXT    NOT NULL DEFAULT '',
        count      INTEGER NOT NULL DEFAULT 0,
        expires_at REAL    NOT NULL
    );
    CREATE INDEX expiring_keys_by_expiry ON expiring_keys (expires_at);
    INSERT INTO expiring_keys (key, count, expires_at)
        SELECT 'RATELIMIT#' || key, count, expires_at FROM login_failures;
    INSERT INTO expiring_keys (key, expires_at)
        SELECT 'CHALLENGE#' || challenge, expires_at FROM used_challenges;
    DROP TABLE login_failures;
    DROP TABLE used_challenges;
    """,
    # 3: Web Push subscriptions; the endpoint is the key, so it has exactly one owner
    """
    CREATE TABLE push_subscriptions (
        endpoint   TEXT NOT NULL PRIMARY KEY,
        user       TEXT NOT NULL,
        p256dh     TEXT NOT NULL,
        auth       TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user, created_at);
    """,
    # 4: replaces started before their list is read keep what adds bring meanwhile: a count
    # of starts, the newest start and the last applied one per type, and the adds' stamps
    """
    CREATE TABLE library_added (
        media_type TEXT    NOT NULL,
        tmdb_id    INTEGER NOT NULL,
        seq        INTEGER NOT NULL,
        PRIMARY KEY (media_type, tmdb_id)
    ) WITHOUT ROWID;
    INSERT INTO meta (key, value) VALUES ('library_seq', 0),
        ('library_started_movie', 0), ('library_started_tv', 0),
        ('library_replaced_movie', 0), ('library_replaced_tv', 0);
    """,
    # 5: a show's season choice (which Sonarr list publishes it); every older row is whole
    """
    ALTER TABLE requests ADD COLUMN monitor TEXT NOT NULL DEFAULT 'all'
        CHECK (monitor IN ('all', 'first', 'latest', 'future'));
    """,
)
