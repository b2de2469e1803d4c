import pytest

from bitly_exports_contract.rules.errors import invalid_arg_message


@pytest.mark.parametrize(
    ("path", "message"),
    [
        pytest.param("filter.archived", "INVALID_ARG_FILTER_ARCHIVED"),
        pytest.param("bitlinks[3]", "INVALID_ARG_BITLINKS"),
        pytest.param("colour", "INVALID_ARG_COLOUR"),
        pytest.param("filter.tags[12]", "INVALID_ARG_FILTER_TAGS"),
        pytest.param("weird-key.ü", "INVALID_ARG_WEIRD_KEY__"),
        pytest.param("filter.é-x", "INVALID_ARG_FILTER___X", id="contract example"),
        pytest.param("", "INVALID_ARG_", id="empty key"),
        pytest.param("straße", "INVALID_ARG_STRA_E", id="sharp s is one character, not SS"),
        pytest.param("ılık", "INVALID_ARG__L_K", id="dotless i is not ASCII i"),
        pytest.param("ﬁle\U0001f600", "INVALID_ARG__LE_", id="ligature and emoji are one character each"),
    ],
)
def test_invalid_arg_names_follow_the_path(path, message):
    assert invalid_arg_message(path) == message
