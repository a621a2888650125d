"""A key that names no user id gets one derived from the key that does not contain it: user ids are shown
where keys are masked (the control API's accounts and usage, the dashboard), and ``user-<key>`` put the
whole key there."""

from __future__ import annotations

import hashlib

from starlette.testclient import TestClient

from mockswarms import create_app
from mockswarms.accounts_config import AccountConfig, default_user_id

KEY = "sk-LEAKCANARY-7f3a9c21e8d4"
SECRET = "LEAKCANARY-7f3a9c21e8d4"  # what must not appear (a masked key keeps a few characters)


def test_the_default_user_id_is_a_digest_of_the_key() -> None:
    assert default_user_id(KEY) == "user-" + hashlib.sha256(KEY.encode()).hexdigest()[:16]
    assert default_user_id(KEY) == default_user_id(KEY) != default_user_id(KEY + "x")
    assert AccountConfig(key=KEY).resolved_user_id() == default_user_id(KEY)
    assert AccountConfig(key=KEY, user_id="team-a").resolved_user_id() == "team-a"


def control_text(client: TestClient) -> str:
    """What the control API shows about the account where keys are masked: its usage, the journal, and
    the user ids of the account list (which lists keys themselves for the harness that manages them)."""
    accounts = client.get("/__mockswarms/accounts").json()["accounts"]
    return "".join(
        [client.get(f"/__mockswarms/accounts/{KEY}/usage").text, client.get("/__mockswarms/journal").text]
        + [a["user_id"] for a in accounts]
    )


def test_an_account_put_without_a_user_id_does_not_show_its_key() -> None:
    with TestClient(create_app(seed=1), base_url="http://test") as client:
        created = client.put(f"/__mockswarms/accounts/{KEY}", json={"credit": "5"}).json()
        assert created["user_id"] == default_user_id(KEY)
        client.get("/v1/account/credits", headers={"x-api-key": KEY})
        assert SECRET not in control_text(client)


def test_a_configured_account_without_a_user_id_does_not_show_its_key() -> None:
    app = create_app(seed=1, accounts=[AccountConfig(key=KEY, credit=5)])
    with TestClient(app, base_url="http://test") as client:
        assert client.get("/v1/account/credits", headers={"x-api-key": KEY}).status_code == 200
        assert SECRET not in control_text(client)


def test_an_auto_created_account_does_not_show_its_key() -> None:
    with TestClient(create_app(seed=1, accept_any_key=True), base_url="http://test") as client:
        assert client.get("/v1/account/credits", headers={"x-api-key": KEY}).status_code == 200
        accounts = client.get("/__mockswarms/accounts").json()["accounts"]
        assert default_user_id(KEY) in [a["user_id"] for a in accounts]
        assert SECRET not in control_text(client)
