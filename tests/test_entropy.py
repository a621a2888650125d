import re

from mockswarms.entropy import Entropy


def test_derive_depends_only_on_seed_and_parts() -> None:
    a, b = Entropy(7), Entropy(7)
    a.ids.hex(10)  # consuming the id stream must not change derived streams
    assert a.derive("x", 1).random() == b.derive("x", 1).random()
    assert a.derive("x", 1).random() != a.derive("x", 2).random()
    assert Entropy(8).derive("x", 1).random() != b.derive("x", 1).random()


def test_ids_follow_the_api_formats() -> None:
    ids = Entropy(1).ids
    assert re.fullmatch(r"agent-[0-9a-f]{32}", ids.agent_job())
    assert re.fullmatch(r"swarms-[A-Za-z0-9]{28}", ids.swarm_job())
    assert re.fullmatch(r"chatcmpl-[0-9a-f]{27}", ids.chat_completion())
    assert re.fullmatch(r"graph-workflow-[A-Za-z0-9]{12}", ids.prefixed("graph-workflow"))
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", ids.uuid())


def test_id_stream_is_ordered_and_rewinds_on_reset() -> None:
    entropy = Entropy(3)
    first = [entropy.ids.agent_job() for _ in range(3)]
    assert len(set(first)) == 3
    entropy.reset()
    assert [entropy.ids.agent_job() for _ in range(3)] == first
    entropy.reset(seed=4)
    assert entropy.ids.agent_job() != first[0]


def test_uuid_is_the_stdlib_version_4_spelling_of_the_same_draw() -> None:
    import random
    import uuid

    from mockswarms.entropy import IdSource

    ids, draws = IdSource(random.Random(11)), random.Random(11)
    for _ in range(20_000):
        assert ids.uuid() == str(uuid.UUID(int=draws.getrandbits(128), version=4))
