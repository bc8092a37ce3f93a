import importlib.util
from pathlib import Path

PEERS = Path(__file__).parents[1] / "benchmarks" / "peers.py"
spec = importlib.util.spec_from_file_location("peers", PEERS)
peers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peers)


def test_c4_keeps_only_punctuated_sentences_without_the_c4_markers():
    lines = [
        "The council approved the new budget on Tuesday.",
        "Subscribe now",
        "Is this the end?",
        "Wait.",
        "Enable JavaScript to view this page.",
        "Lorem ipsum dolor sit amet.",
        "function f() { return 1; }.",
        "This site uses cookies to improve your experience.",
        "And then there were none...",
        "\u201cWe will rebuild,\u201d the mayor said.",
        "",
    ]
    assert peers.c4_keep(lines) == [
        True, False, True, False, False, False, False, False, False, True, False
    ]  # fmt: skip
    assert peers.c4_keep(["Two words.", "Now three words."], min_words=3) == [False, True]


def test_justext_stoplists_fall_back_to_english():
    assert peers.justext_stoplist_name("de") == "German"
    assert peers.justext_stoplist_name("pt-BR") == "Portuguese"
    assert peers.justext_stoplist_name("zh") == peers.justext_stoplist_name(None) == "English"
