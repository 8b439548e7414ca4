"""The small-cell rule: 1 or 2 children show "< 3", and no hidden cell can be worked out."""

from signup.reports.cells import Figure, figure, protect, share, share_value


def shown(counts: dict) -> dict:
    return {key: str(value) for key, value in protect(counts).items()}


def test_one_or_two_children_show_less_than_three_and_none_shows_zero(plain_app):
    assert [str(figure(n)) for n in (0, 1, 2, 3, 1250)] == ["0", "< 3", "< 3", "3", "1.250"]
    assert [figure(n).csv for n in (0, 1, 2, 3, 1250)] == ["0", "< 3", "< 3", "3", "1250"]


def test_a_single_hidden_cell_takes_the_smallest_other_with_it(plain_app):
    # 25 children: girls 16, boys 8, diverse 1. Without the cover, 25 - 16 - 8 = 1.
    assert shown({"female": 16, "male": 8, "diverse": 1, "not_stated": 0}) == {
        "female": "16",
        "male": "x",
        "diverse": "< 3",
        "not_stated": "0",
    }


def test_two_hidden_cells_still_get_a_cover(plain_app):
    # Hidden 1 + 1 = 2 would tell both; with the 3 hidden as well the sum is 5, any split.
    assert shown({"a": 1, "b": 1, "c": 3, "d": 10}) == {"a": "< 3", "b": "< 3", "c": "x", "d": "10"}


def test_nothing_is_hidden_when_no_cell_is_small(plain_app):
    assert shown({"a": 3, "b": 0, "c": 40}) == {"a": "3", "b": "0", "c": "40"}


def test_when_every_cell_is_small_there_is_nothing_to_cover_with(plain_app):
    assert shown({"a": 2, "b": 1}) == {"a": "< 3", "b": "< 3"}


def test_a_share_is_shown_only_with_its_count(plain_app):
    assert share(Figure(16), 25) == "64\xa0%"
    assert share(Figure(2, "small"), 25) == "–"
    assert share(Figure(0), 0) == "–"
    assert share_value(Figure(5), 20) == 0.25
    assert share_value(Figure(8, "cover"), 20) is None
