"""Reprint lookups stay cheap however many copies of one wire story a feed carries."""

from __future__ import annotations

from digests.stories.fingerprint import BUCKET_CAP, DuplicateIndex, signature

WORDS = (
    "the port authority said on monday that dockers would return to work after talks with the union"
    " ended in an agreement on night pay and automated cranes at the terminal"
).split()


def test_a_reprint_after_many_copies_still_finds_a_copy_and_buckets_stay_bounded() -> None:
    sig = signature(WORDS)
    index = DuplicateIndex()
    for n in range(BUCKET_CAP * 10):
        index.add(f"copy-{n}", sig)
    found = index.nearest(sig)
    assert found is not None and found[1] == 1.0
    assert max(index.bucket_sizes()) == BUCKET_CAP


def test_a_removed_copy_is_not_found_and_a_different_text_is_no_reprint() -> None:
    sig = signature(WORDS)
    index = DuplicateIndex()
    index.add("only", sig)
    assert index.nearest(signature([*reversed(WORDS)])) is None
    index.remove("only")
    assert index.nearest(sig) is None


def test_removing_every_copy_empties_the_index_whatever_the_order() -> None:
    sig = signature(WORDS)
    other = signature([*WORDS[:-3], "quay", "berth", "tug"])  # shares some bands with sig
    index = DuplicateIndex()
    for n in range(5):
        index.add(f"a{n}", sig)
    index.add("b", other)
    assert index.nearest(other) == ("b", 1.0)
    for key in ("a3", "b", "a0", "a4", "a1"):
        index.remove(key)
    assert index.nearest(sig) == ("a2", 1.0)
    index.remove("a2")
    assert index.bucket_sizes() == [] and index.nearest(sig) is None


def test_a_damaged_stored_signature_is_ignored() -> None:
    index = DuplicateIndex()
    index.add("short", (1, 2, 3))
    index.add("huge", tuple([2**40] * 64))
    index.add("negative", tuple([-1] * 64))
    assert index.bucket_sizes() == []
    assert index.nearest(tuple([2**40] * 64)) is None
    index.remove("huge")
