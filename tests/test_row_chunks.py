import numpy as np
import paysieve.model.kind_context as kind_context
import paysieve.model.text_model as text_model
import pytest
from paysieve.inference.detector import Detector
from paysieve.model.row_chunks import ROW_GROUP, row_chunks

WORDS = [
    "subscribe",
    "harbour",
    "council",
    "bridge",
    "share",
    "menu",
    "price",
    "plan",
    "newsletter",
    "cookie",
    "sign",
]


@pytest.mark.parametrize("size", [1, 8, 13, 16])
def test_row_chunks_cover_the_rows_in_groups_of_eight(size):
    for n in range(0, 60):
        chunks = list(row_chunks(n, size))
        assert [i for c in chunks for i in range(c.start, c.stop)] == list(range(n))
        assert all((c.stop - c.start) % ROW_GROUP == 0 for c in chunks[:-1])
        assert len(chunks) == 1 or chunks[-1].stop - chunks[-1].start > 1


def _documents(n_lines: int) -> list[list[str]]:
    """Distinct lines of article-like and furniture-like text, in two documents."""
    rng = np.random.default_rng(21)
    lines = []
    for i in range(n_lines):
        words = rng.choice(WORDS, size=int(rng.integers(1, 14)))
        lines.append(f"{' '.join(words).capitalize()} {i}{'.' if i % 3 else ''}")
    return [lines[: n_lines // 3], lines[n_lines // 3 :]]


@pytest.mark.parametrize("n_lines", [201, 233])
def test_scoring_in_chunks_gives_the_same_floats_as_scoring_whole(monkeypatch, n_lines):
    # 201 and 233 lines (and distinct texts) leave one row past a multiple of 8: the
    # chunk that would hold it alone is the case the matrix products round differently.
    model = Detector().model
    documents = _documents(n_lines)
    whole = model.score_documents(documents)
    monkeypatch.setattr(text_model, "STAGE1_TEXTS", 8)
    monkeypatch.setattr(kind_context, "CHUNK_ROWS", 8)
    chunked = model.score_documents(documents)
    for a, b in zip(whole, chunked):
        assert a.proba.tobytes() == b.proba.tobytes()
        assert a.kind_proba.tobytes() == b.kind_proba.tobytes()
