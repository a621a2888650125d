import pytest

from mockswarms.tokenizer import count_tokens, split_tokens, truncate_tokens


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
