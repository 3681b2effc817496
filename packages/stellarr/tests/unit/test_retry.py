import random

from stellarr.retry import RetryPolicy, parse_retry_after


def test_gives_up_after_the_last_attempt() -> None:
    policy = RetryPolicy(attempts=3, jitter=False, base_delay=1.0)
    assert policy.delay(1) == 1.0
    assert policy.delay(2) == 2.0
    assert policy.delay(3) is None


def test_retry_after_wins_but_is_capped() -> None:
    policy = RetryPolicy(attempts=5, max_delay=8.0)
    assert policy.delay(1, retry_after=3.0) == 3.0
    assert policy.delay(1, retry_after=120.0) == 8.0


def test_jitter_stays_under_the_exponential_ceiling() -> None:
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=4.0, rng=random.Random(7))
    delays = [policy.delay(4) for _ in range(200)]
    assert all(d is not None and 0 <= d <= 4.0 for d in delays)
    assert len({round(d or 0, 6) for d in delays}) > 100


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
