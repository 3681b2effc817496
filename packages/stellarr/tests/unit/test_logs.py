import logging

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
