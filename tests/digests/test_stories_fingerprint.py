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
    assert max(len(bucket) for bucket in index._buckets.values()) == BUCKET_CAP


def test_a_removed_copy_is_not_found_and_a_different_text_is_no_reprint() -> None:
    sig = signature(WORDS)
    index = DuplicateIndex()
    index.add("only", sig)
    assert index.nearest(signature([*reversed(WORDS)])) is None
    index.remove("only")
    assert index.nearest(sig) is None
