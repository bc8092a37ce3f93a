"""Hand-written mutants: breakages a test suite must notice.

Each mutant replaces one or more exact snippets of the source (each must occur exactly once
in its file); ``run_mutants.py`` applies one at a time, runs the tests and restores the
file. The first group is the list of issue 18 (breakages that once left the suite green);
the others break what the tests added with it guard.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    """A named breakage: (file, original snippet, replacement) edits."""

    id: str
    what: str
    edits: tuple[tuple[str, str, str], ...]


CLI = "inference/cli.py"
DOCUMENT_IO = "paysieve/documents/document_io.py"
HTML_LINES = "paysieve/documents/html_lines.py"
PERSISTENCE = "model/persistence.py"

MUTANTS = [
    # --- the breakages listed in issue 18 --------------------------------------------------
    Mutant(
        "clean-lines-kept",
        "clean keeps every line of JSON Lines records given as 'lines'",
        (
            (
                CLI,
                "kept = [line for line, g in zip(pred.lines, gone) if not g]",
                "kept = list(pred.lines)",
            ),
        ),
    ),
    Mutant(
        "threshold-ignored",
        "the CLI's --threshold is ignored everywhere",
        (
            (
                CLI,
                'detector = Detector(options["model"], options["threshold"])',
                'detector = Detector(options["model"], None)',
            ),
            (
                CLI,
                'in_workers(options["model"], options["threshold"], jobs)',
                'in_workers(options["model"], None, jobs)',
            ),
            (CLI, "detector = Detector(model, threshold)", "detector = Detector(model, None)"),
        ),
    ),
    Mutant(
        "html-stage-off",
        "the HTML stage is switched off at prediction time",
        (
            (
                "inference/detector.py",
                "self.model.score_documents(model_docs, html=html)",
                "self.model.score_documents(model_docs, html=None)",
            ),
        ),
    ),
    Mutant(
        "errors-none",
        "evaluate --errors N lists no pages",
        (
            (
                CLI,
                "pages += worst_pages(docs, preds, errors, detector.threshold) if errors else []",
                "pages += []",
            ),
        ),
    ),
    Mutant(
        "plot-empty",
        "the evaluation plot draws empty axes",
        (
            (
                "training/evaluation_plot.py",
                "ax_pr.plot(recall, precision, lw=1.5)",
                "ax_pr.plot([], [], lw=1.5)",
            ),
            (
                "training/evaluation_plot.py",
                'ax_cal.plot(mean_p, observed, "o-")',
                'ax_cal.plot([], [], "o-")',
            ),
        ),
    ),
    Mutant(
        "heldout-blocks-leak",
        "the corpus's held-out blocks leak into the training part",
        (
            (
                "training/compose.py",
                'return articles, [b for b in source.blocks if wanted("\\n".join(b.lines))]',
                "return articles, list(source.blocks)",
            ),
        ),
    ),
    Mutant(
        "dask-loads-uncounted",
        "the Dask per-worker load counter never increments",
        (("inference/dask_scoring.py", "_model_loads += 1", "_model_loads += 0"),),
    ),
    Mutant(
        "tsv-unescaped",
        "predict's TSV escaping is removed",
        (
            (
                CLI,
                'safe = line.text.replace("\\\\", "\\\\\\\\").replace("\\t", "\\\\t")',
                "safe = line.text",
            ),
        ),
    ),
    Mutant(
        "text-headers-gone",
        "the text format's '== id' headers are removed",
        ((CLI, 'out.write(f"== {doc_id}\\n")', "pass"),),
    ),
    Mutant(
        "jsonl-unrounded",
        "JSON Lines scores are no longer rounded",
        ((DOCUMENT_IO, '"scores": [round(s, 4) for s in scores]', '"scores": list(scores)'),),
    ),
    Mutant(
        "no-payload-check",
        "the model-file check for a missing payload is deleted",
        (
            (
                PERSISTENCE,
                "if not isinstance(payload, bytes):\n"
                '        raise ModelFileError(f"{path}: damaged paysieve model (no payload)")',
                "pass",
            ),
        ),
    ),
    Mutant(
        "no-metadata-check",
        "the model-file check for missing metadata is deleted",
        (
            (
                PERSISTENCE,
                "if not isinstance(metadata, dict):\n"
                '        raise ModelFileError(f"{path}: damaged paysieve model (no metadata)")',
                "pass",
            ),
        ),
    ),
    Mutant(
        "no-foreign-object-check",
        "the model-file check for a foreign object is deleted",
        (
            (
                PERSISTENCE,
                "if not isinstance(model, LineScorer):\n"
                '        raise ModelFileError(f"{path}: the file holds no paysieve line scorer")',
                "pass",
            ),
        ),
    ),
    Mutant(
        "calibration-skipped",
        "calibration is skipped at prediction (raw stage-2 scores reported as probabilities)",
        (
            (
                "model/line_scorer.py",
                "proba = self.probabilities(raw, offsets)",
                "proba = raw[:, 0]",
            ),
        ),
    ),
    Mutant(
        "isotonic-map-skipped",
        "the first isotonic calibration map is never applied (training and prediction)",
        (
            (
                "model/score_calibration.py",
                "if self.calibrator is None or len(scores) == 0:",
                "if True:",
            ),
        ),
    ),
    Mutant(
        "hmm-skipped",
        "the HMM smoothing along the document is skipped (training and prediction)",
        (
            (
                "model/score_calibration.py",
                "proba = smooth(proba, offsets, self.stay, self.prior)",
                "proba = proba",
            ),
        ),
    ),
    Mutant(
        "allowlist-open",
        "the unpickler resolves any global (control: guarded before)",
        (("model/safe_unpickler.py", "if (module, name) not in self.allowed:", "if False:"),),
    ),
    Mutant(
        "drop-ignored",
        "clean --drop/--keep are ignored (control: guarded before)",
        (
            (
                CLI,
                "drop_kinds, keep_kinds = _kinds_option(drop, keep, detector.kinds)",
                "_kinds_option(drop, keep, detector.kinds)\n        drop_kinds = keep_kinds = None",
            ),
        ),
    ),
    # --- output failures --------------------------------------------------------------------
    Mutant(
        "temp-file-left",
        "a write failing midway leaves its temporary file (the bug fixed with these tests)",
        (
            (
                "paysieve/documents/atomic_file.py",
                "try:\n"
                "            self.file.close()  # flushes what is buffered: "
                "fails again on a full disk\n"
                "        finally:\n"
                "            Path(self._tmp).unlink(missing_ok=True)",
                "self.file.close()\n        Path(self._tmp).unlink(missing_ok=True)",
            ),
        ),
    ),
    Mutant(
        "broken-pipe-unhandled",
        "a closed pipe is reported as an output error",
        ((CLI, "except BrokenPipeError:", "except ZeroDivisionError:"),),
    ),
    Mutant(
        "read-only-target-written",
        "an existing read-only target is not refused",
        ((DOCUMENT_IO, "if target.exists() and not os.access(target, os.W_OK):", "if False:"),),
    ),
    # --- options ----------------------------------------------------------------------------
    Mutant(
        "quiet-ignored",
        "--quiet does not silence the progress bar",
        (
            (
                CLI,
                'progress_bar(reader.source.size, options["quiet"])',
                "progress_bar(reader.source.size, False)",
            ),
        ),
    ),
    Mutant(
        "color-ignored",
        "--color/--no-color are ignored",
        ((CLI, "return color if color is not None else", "return False and"),),
    ),
    Mutant(
        "input-format-ignored",
        "--input-format is ignored",
        ((CLI, 'DocumentReader(file, options["input_format"],', 'DocumentReader(file, "auto",'),),
    ),
    Mutant(
        "train-copies-ignored",
        "train --copies is ignored",
        (
            (
                CLI,
                "load_input(path, copies=copies, seed=seed, part=part)",
                "load_input(path, seed=seed, part=part)",
            ),
        ),
    ),
    Mutant(
        "train-part-ignored",
        "train --part is ignored",
        (
            (
                CLI,
                "load_input(path, copies=copies, seed=seed, part=part)",
                "load_input(path, copies=copies, seed=seed)",
            ),
        ),
    ),
    Mutant(
        "evaluate-part-ignored",
        "evaluate --part is ignored",
        (
            (
                CLI,
                "docs = load_input(path, part=part).documents",
                "docs = load_input(path).documents",
            ),
        ),
    ),
    Mutant(
        "train-quiet-ignored",
        "train --quiet is ignored",
        (
            (
                CLI,
                "if not quiet:\n                typer.echo",
                "if True:\n                typer.echo",
            ),
        ),
    ),
    # --- metrics ----------------------------------------------------------------------------
    Mutant(
        "content-precision-recall-swapped",
        "content precision and recall swapped",
        (("training/metrics.py", '"content": _prf(cc, bc, cb)', '"content": _prf(cc, cb, bc)'),),
    ),
    Mutant(
        "classes-swapped",
        "content and boilerplate scores swapped",
        (
            (
                "training/metrics.py",
                '"content": _prf(cc, bc, cb),\n        "boilerplate": _prf(bb, cb, bc)',
                '"content": _prf(bb, cb, bc),\n        "boilerplate": _prf(cc, bc, cb)',
            ),
        ),
    ),
    Mutant(
        "threshold-rule-argmax",
        "best_threshold returns the scan's best F1 instead of 1 - F*/2",
        (("training/metrics.py", "return 1.0 - best_f1 / 2", "return best_f1 / 2"),),
    ),
    Mutant(
        "worst-pages-unsorted",
        "worst_pages returns pages in input order",
        (
            (
                "training/evaluation.py",
                'return sorted(pages, key=lambda p: -p["errors"])[:n]',
                "return pages[:n]",
            ),
        ),
    ),
    # --- input edge cases -------------------------------------------------------------------
    Mutant(
        "ndjson-by-content",
        ".ndjson names are not JSON Lines by name",
        (
            (
                DOCUMENT_IO,
                'JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")',
                'JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")',
            ),
        ),
    ),
    Mutant(
        "long-first-record-is-text",
        "a first record longer than the sniffed head is read as text",
        (
            (
                DOCUMENT_IO,
                'if "\\n" not in start:  # a first record longer than the sniffed head\n'
                "        return True",
                'if "\\n" not in start:\n        return False',
            ),
        ),
    ),
    Mutant(
        "record-cut-at-head",
        "a record across the end of the sniffed head is cut in two",
        ((DOCUMENT_IO, "yield rest + self._guarded(self._stream.readline)", "yield rest"),),
    ),
    Mutant(
        "no-char-segments",
        "long texts are not cut by characters",
        (
            (
                DOCUMENT_IO,
                "if len(segment) >= SEGMENT_LINES or chars >= SEGMENT_CHARS:",
                "if len(segment) >= SEGMENT_LINES:",
            ),
        ),
    ),
    Mutant(
        "utf16-html-refused",
        "UTF-16 HTML pages refused as binary (the bug fixed with these tests)",
        ((DOCUMENT_IO, "utf16 = self.source.head.startswith(UTF16_BOMS)", "utf16 = False"),),
    ),
    Mutant(
        "html-depth-shifted",
        "HTML depth counted one too many",
        (
            (
                HTML_LINES,
                'is_block, in_pre, depth = block, in_pre or tag == "pre", depth + 1',
                'is_block, in_pre, depth = block, in_pre or tag == "pre", depth + 2',
            ),
        ),
    ),
    Mutant(
        "ol-not-a-list",
        "<ol> is not a list zone",
        (
            (
                HTML_LINES,
                '_ZONE_BIT |= {"ul": _LIST_BIT, "ol": _LIST_BIT}',
                '_ZONE_BIT |= {"ul": _LIST_BIT}',
            ),
        ),
    ),
    Mutant(
        "hints-not-summed",
        "class/id hints of ancestors are not added up",
        (
            (
                HTML_LINES,
                "bp_hints, ct_hints = bp_hints + bp, ct_hints + ct",
                "bp_hints, ct_hints = bp, ct",
            ),
        ),
    ),
    Mutant(
        "heldout-share-zero",
        "is_heldout puts nothing in the held-out part",
        (("training/compose.py", "% 100 < HELDOUT_SHARE * 100", "% 100 < 0"),),
    ),
]
