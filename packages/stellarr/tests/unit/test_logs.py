import logging

from uvicorn.logging import AccessFormatter
from uvicorn.protocols.utils import get_path_with_query_string

from stellarr.logs import ScrubFilter, scrub


def test_scrubs_query_secrets_and_bearers() -> None:
    line = (
        "GET https://api.themoviedb.org/3/search/movie?query=x&api_key=abc123 "
        "/list/radarr?token=s3cret Authorization: Bearer eyJ.abc.def"
    )
    cleaned = scrub(line)
    for secret in ("abc123", "s3cret", "eyJ.abc.def"):
        assert secret not in cleaned
    assert "api_key=***" in cleaned and "token=***" in cleaned


def test_filter_rewrites_formatted_records_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", ("url?api_key=KEY",), None)
    assert ScrubFilter().filter(record)
    assert record.getMessage() == "url?api_key=***"
    try:
        raise ValueError("failed for url?token=TOKEN")
    except ValueError as exc:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "boom", (), (ValueError, exc, exc.__traceback__)
        )
    ScrubFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "TOKEN" not in formatted and "token=***" in formatted


def test_records_from_any_logger_are_scrubbed_once_installed(caplog) -> None:  # type: ignore[no-untyped-def]
    from stellarr.logs import install_scrubbing

    install_scrubbing()
    install_scrubbing()  # idempotent
    with caplog.at_level(logging.INFO):
        logging.getLogger("stellarr.api.errors.child").info("GET /x?api_key=%s", "SECRET1")
        logging.getLogger("somebody.else").warning("Authorization: Bearer SECRET2")
        try:
            raise RuntimeError("url?token=SECRET3")
        except RuntimeError:
            logging.getLogger("httpcore.http11").exception("failed")
    text = caplog.text
    assert "SECRET" not in text
    assert "api_key=***" in text and "Bearer ***" in text and "token=***" in text


def test_parameter_names_are_judged_as_the_app_decodes_them() -> None:
    # Starlette decodes ?tok%65n= to "token", so the feed accepts it: the log must hide it.
    for query in (
        "tok%65n=SECRET4",
        "%74%6F%6B%65%6E=SECRET4&page=2",
        "api%5Fkey=SECRET4",
        "a=1&access%5ftoken=SECRET4",
        "TOK%2565N=SECRET4",  # decoded twice by a proxy on the way
    ):
        assert "SECRET4" not in scrub(f"GET /list/radarr?{query} HTTP/1.1"), query
    # A name that only contains a secret's name is someone else's parameter.
    assert scrub("/x?q=100%25&notatoken%21=kept") == "/x?q=100%25&notatoken%21=kept"
    assert scrub("/x?q=tok%65n") == "/x?q=tok%65n"


def uvicorn_access_record(path_and_query: str) -> logging.LogRecord:
    """The record uvicorn's HTTP protocols log, built with uvicorn's own path helper."""
    path, _, query = path_and_query.partition("?")
    scope = {"path": path, "query_string": query.encode("ascii")}
    full_path = get_path_with_query_string(scope)  # type: ignore[arg-type]
    args = ("127.0.0.1:51234", "GET", full_path, "1.1", 200)
    return logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None
    )


def test_uvicorn_access_records_lose_the_token_and_keep_their_shape() -> None:
    record = uvicorn_access_record("/list/radarr?tok%65n=FEED-SECRET&page=1")
    assert ScrubFilter().filter(record)
    assert "FEED-SECRET" not in record.getMessage()
    assert "/list/radarr?tok%65n=***&page=1" in record.getMessage()
    # uvicorn's own formatter unpacks the five args: they must still be there.
    line = AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s').format(record)
    assert line == '127.0.0.1:51234 "GET /list/radarr?tok%65n=***&page=1 HTTP/1.1" 200 OK'


def test_access_records_are_scrubbed_at_creation(caplog) -> None:  # type: ignore[no-untyped-def]
    from stellarr.logs import install_scrubbing

    install_scrubbing()
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "10.0.0.2:4000", "HEAD", "/rss/all?%74oken=S5", "1.1", 200
        )
    assert "S5" not in caplog.text and "/rss/all?%74oken=***" in caplog.text
    assert caplog.records[-1].args == ("10.0.0.2:4000", "HEAD", "/rss/all?%74oken=***", "1.1", 200)


def test_media_server_urls_lose_their_token_in_access_lines() -> None:
    for path in (
        "/webhook/plex?token=PLEX-SECRET",
        "/webhook/jellyfin?token=PLEX-SECRET",
        "/sync/library?media_type=movie&clear=true&token=PLEX-SECRET",
        "/sync/library?token=PLEX-SECRET&media_type=tv",
    ):
        record = uvicorn_access_record(path)
        assert ScrubFilter().filter(record)
        line = AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s').format(record)
        assert "PLEX-SECRET" not in line, path
        assert f"{path.split('?')[0]}?" in line and "token=***" in line


def test_push_endpoints_never_reach_the_access_log() -> None:
    endpoint = "https%3A%2F%2Ffcm.googleapis.com%2Ffcm%2Fsend%2FabcDEF123"
    record = uvicorn_access_record(f"/api/push/status?endpoint={endpoint}")
    assert ScrubFilter().filter(record)
    line = AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s').format(record)
    assert "abcDEF123" not in line and "endpoint=***" in line
