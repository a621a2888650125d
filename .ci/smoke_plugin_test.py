"""Copied into an empty directory and run by a base install's pytest: the plugin's fixture works
without any extra (see .ci/run)."""


def test_plugin_fixture_on_a_base_install(mockswarms):
    reply = mockswarms.client().post(
        "/v1/agent/completions",
        json={"agent_config": {"agent_name": "A", "model_name": "gpt-4o"}, "task": "hi"},
    )
    assert reply.status_code == 200
    mockswarms.assert_charged(str(reply.json()["usage"]["total_cost"]))
