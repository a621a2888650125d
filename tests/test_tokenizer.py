import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockswarms.tokenizer import count_tokens, split_capped, split_tokens, truncate_tokens


@pytest.mark.parametrize(
    ("text", "count"),
    [("", 0), ("hello", 1), ("Hello, world!", 4), ("  two words  ", 2), ("a-b", 3), ("x\n\ny", 2)],
)
def test_count_tokens(text: str, count: int) -> None:
    assert count_tokens(text) == count


@pytest.mark.parametrize("text", ["", "   ", "Hello, world!", " lead and trail  ", "multi\nline\ttext."])
def test_split_tokens_concatenates_back_to_the_text(text: str) -> None:
    assert "".join(split_tokens(text)) == text


def test_split_counts_match() -> None:
    text = "The quick brown fox, jumps."
    assert len(split_tokens(text)) == count_tokens(text) == 7


def test_truncate_tokens() -> None:
    assert truncate_tokens("one two three four", 2) == "one two"
    assert truncate_tokens("one two", 5) == "one two"
    assert truncate_tokens("one", 0) == ""


@settings(max_examples=500)
@given(
    st.text(alphabet=st.sampled_from(list("ab .,\n\té!_")), max_size=60),
    st.one_of(st.none(), st.integers(min_value=-2, max_value=25)),
)
def test_split_capped_is_truncate_then_split(text: str, max_tokens: int | None) -> None:
    expected = text if max_tokens is None or max_tokens < 1 else truncate_tokens(text, max_tokens)
    assert split_capped(text, max_tokens) == (expected, tuple(split_tokens(expected)) if expected else ())


def test_split_capped_cuts_at_the_cap() -> None:
    assert split_capped("One two, three.  ", 3) == ("One two,", ("One", " two", ","))
    assert split_capped("One two.  ", 5) == ("One two.  ", ("One", " two", ".  "))
    assert split_capped("", 3) == ("", ())
