from stellarr.domain.tokens import TOKEN_LIFETIME_SECONDS, b64url, issue_token, verify_token

KEY = "secret"


def test_contract_vector() -> None:
    token = issue_token(KEY, "John", "user", 1703001234)
    assert token == "1703001234.Sm9obg.0PFYTt0Cqe_nJyHFIsFHPCTuI4psopF_k-XS6pyDL8A"
    session = verify_token(KEY, token, 1703001234 + 10)
    assert session is not None
    assert (session.name, session.role) == ("John", "user")


def test_admin_token_has_a_signed_fourth_part() -> None:
    token = issue_token(KEY, "Root", "admin", 1000, admin_password="adm")
    assert token.count(".") == 3
    session = verify_token(KEY, token, 1001, admin_password="adm")
    assert session is not None and session.is_admin


def test_changing_or_removing_the_admin_password_revokes_admin_tokens() -> None:
    token = issue_token(KEY, "Root", "admin", 1000, admin_password="adm")
    assert verify_token(KEY, token, 1001, admin_password="new-admin-pw") is None
    assert verify_token(KEY, token, 1001, admin_password=None) is None
    user = issue_token(KEY, "John", "user", 1000)
    assert verify_token(KEY, user, 1001, admin_password="new-admin-pw") is not None


def test_role_cannot_be_forged() -> None:
    user = issue_token(KEY, "Eve", "user", 1000)
    ts, name, sig = user.split(".")
    assert verify_token(KEY, f"{ts}.{name}.{b64url(b'admin')}.{sig}", 1001) is None
    assert verify_token(KEY, f"{ts}.{name}.{b64url(b'admin')}.{sig}", 1001, "adm") is None
    admin = issue_token(KEY, "Root", "admin", 1000, admin_password="adm")
    ts, name, _role, sig = admin.split(".")
    assert verify_token(KEY, f"{ts}.{name}.{sig}", 1001, "adm") is None
    assert verify_token(KEY, f"{ts}.{b64url(b'Eve')}.{_role}.{sig}", 1001, "adm") is None


def test_expired_future_tampered_and_garbage_tokens_fail() -> None:
    token = issue_token(KEY, "John", "user", 10_000)
    assert verify_token(KEY, token, 10_000 + TOKEN_LIFETIME_SECONDS + 1) is None
    assert verify_token(KEY, token, 10_000 - 3600) is None
    assert verify_token("other-key", token, 10_001) is None
    assert verify_token(KEY, token[:-1] + ("A" if token[-1] != "A" else "B"), 10_001) is None
    for garbage in ["", "a.b", "a.b.c.d.e", "x.Sm9obg.sig", "ünïcødé.x.y", "1.2.3"]:
        assert verify_token(KEY, garbage, 10_001) is None
