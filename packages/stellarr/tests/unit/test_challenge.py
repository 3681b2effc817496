from stellarr.domain.challenge import challenge_hash, derive_key, hash_matches, timestamp_fresh

DERIVED = "ffd8ab0c4ed52e11ac0e78c3d0476dedd6e3f4cab52ad489f0284124d67a7f05"


def test_contract_vector() -> None:
    assert derive_key("changeme", "https://stellarr.example.com") == DERIVED
    expected = "bf3a263b2bbece629bbaf98499798dd6acde208494e8315c1b64d2ec2ece8773"
    assert challenge_hash(DERIVED, 1703001234) == expected
    assert hash_matches(DERIVED, 1703001234, expected.upper())
    assert not hash_matches(DERIVED, 1703001235, expected)


def test_non_ascii_hash_is_a_mismatch_not_an_error() -> None:
    assert not hash_matches(DERIVED, 1, "ünïcødé☃")


def test_freshness_window_is_five_minutes_both_ways() -> None:
    assert timestamp_fresh(1000, 1300)
    assert timestamp_fresh(1300, 1000)
    assert not timestamp_fresh(1000, 1301)
    assert not timestamp_fresh(1301, 1000)
