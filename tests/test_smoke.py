from digests import Dispatch, summarise


def test_summarise_finds_a_quote():
    digest = summarise(Dispatch(text='The minister said: "We will act now." Then she left.'))
    assert [q.text for q in digest.quotes] == ["We will act now."]
