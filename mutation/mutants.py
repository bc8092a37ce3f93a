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


CLI_MODELS = "inference/cli/model_commands.py"
CLI_STREAMS = "inference/cli/stream_commands.py"
WRITERS = "inference/output_writers.py"
READING = "paysieve/documents/reading.py"
HTML_LINES = "paysieve/documents/html_lines.py"
PERSISTENCE = "model/persistence.py"
CALIBRATION = "model/score_calibration.py"
LINE_CLASSIFIER = "training/line_classifier.py"


def one(id: str, what: str, file: str, old: str, new: str) -> Mutant:
    """A mutant of one edit."""
    return Mutant(id, what, ((file, old, new),))


MUTANTS = [
    # --- the breakages listed in issue 18 --------------------------------------------------
    one("clean-lines-kept", "clean keeps every line of JSON Lines records given as 'lines'",
        WRITERS, "kept = [line for line, g in zip(prediction.lines, gone) if not g]",
        "kept = list(prediction.lines)"),
    Mutant("threshold-ignored", "the CLI's --threshold is ignored everywhere", (
        (CLI_STREAMS, "detector = Detector(options.model, options.threshold)",
         "detector = Detector(options.model, None)"),
        (CLI_MODELS, "detector = Detector(model, threshold)", "detector = Detector(model, None)"),
    )),
    one("html-stage-off", "the HTML stage is switched off at prediction time",
        "inference/detector.py", "self.model.score_documents(model_docs, html=html)",
        "self.model.score_documents(model_docs, html=None)"),
    one("errors-none", "evaluate --errors N lists no pages", CLI_MODELS,
        "pages += worst_pages(docs, preds, errors, detector.threshold) if errors else []",
        "pages += []"),
    Mutant("plot-empty", "the evaluation plot draws empty axes", (
        ("training/evaluation_plot.py", "ax_pr.plot(recall, precision, lw=1.5)",
         "ax_pr.plot([], [], lw=1.5)"),
        ("training/evaluation_plot.py", 'ax_cal.plot(mean_p, observed, "o-")',
         'ax_cal.plot([], [], "o-")'),
    )),
    one("heldout-blocks-leak", "the corpus's held-out blocks leak into the training part",
        "training/compose.py",
        'return articles, [b for b in blocks if wanted("\\n".join(b.lines))]',
        "return articles, blocks"),
    one("dask-loads-uncounted", "the Dask per-worker load counter never increments",
        "inference/dask_scoring.py", "_model_loads += 1", "_model_loads += 0"),
    one("tsv-unescaped", "predict's TSV escaping is removed", WRITERS,
        'text = line.text.replace("\\\\", "\\\\\\\\").replace("\\t", "\\\\t")',
        "text = line.text"),
    one("text-headers-gone", "the text format's '== id' headers are removed", WRITERS,
        'self.out.write(f"== {self._document_id(doc)}\\n")', "pass"),
    one("jsonl-unrounded", "JSON Lines scores are no longer rounded", WRITERS,
        'fields["scores"] = [round(s, 4) for s in prediction.scores.tolist()]',
        'fields["scores"] = prediction.scores.tolist()'),
    one("no-payload-check", "the model-file check for a missing payload is deleted",
        PERSISTENCE, "if not isinstance(payload, bytes):\n"
        '        raise ModelFileError(f"{path}: damaged paysieve model (no payload)")', "pass"),
    one("no-metadata-check", "the model-file check for missing metadata is deleted",
        PERSISTENCE, "if not isinstance(metadata, dict):\n"
        '        raise ModelFileError(f"{path}: damaged paysieve model (no metadata)")', "pass"),
    one("no-foreign-object-check", "the model-file check for a foreign object is deleted",
        PERSISTENCE, "if not isinstance(model, LineScorer):\n"
        '        raise ModelFileError(f"{path}: the file holds no paysieve line scorer")',
        "pass"),
    one("calibration-skipped",
        "calibration is skipped at prediction (raw stage-2 scores reported as probabilities)",
        "model/line_scorer.py", "proba = self.calibration.probabilities(raw, offsets)",
        "proba = raw[:, 0]"),
    one("isotonic-map-skipped",
        "the first isotonic calibration map is never applied (training and prediction)",
        CALIBRATION, "proba = self.calibrator(scores)", "proba = scores"),
    one("hmm-skipped",
        "the HMM smoothing along the document is skipped (training and prediction)",
        CALIBRATION, "return smooth(proba, offsets, self.stay, self.prior)", "return proba"),
    one("allowlist-open", "the unpickler resolves any global (control: guarded before)",
        "model/safe_unpickler.py", "if (module, name) not in self.allowed:", "if False:"),
    one("drop-ignored", "clean --drop/--keep are ignored (control: guarded before)", WRITERS,
        "self.drop, self.keep = drop, keep", "self.drop, self.keep = None, None"),
    # --- output failures --------------------------------------------------------------------
    one("temp-file-left",
        "a write failing midway leaves its temporary file (the bug fixed with these tests)",
        "paysieve/documents/atomic_file.py",
        "try:\n            self.file.close()  # flushes what is buffered: "
        "fails again on a full disk\n        finally:\n"
        "            Path(self._tmp).unlink(missing_ok=True)",
        "self.file.close()\n        Path(self._tmp).unlink(missing_ok=True)"),
    one("broken-pipe-unhandled", "a closed pipe is reported as an output error",
        "inference/cli/app.py", "except BrokenPipeError:", "except ZeroDivisionError:"),
    one("read-only-target-written", "an existing read-only target is not refused",
        "paysieve/documents/writing.py",
        "if path.exists() and not os.access(path, os.W_OK):", "if False:"),
    # --- options ----------------------------------------------------------------------------
    one("quiet-ignored", "--quiet does not silence the progress bar", CLI_STREAMS,
        "with progress_bar(options.quiet) as bar:", "with progress_bar(False) as bar:"),
    one("color-ignored", "--color/--no-color are ignored", CLI_STREAMS,
        "    if color is not None:\n        return color\n", ""),
    one("input-format-ignored", "--input-format is ignored", "inference/streaming.py",
        "path, settings.input_format, settings.strict", 'path, "auto", settings.strict'),
    one("train-copies-ignored", "train --copies is ignored", CLI_MODELS,
        "load_input(path, copies=copies, seed=seed, part=part)",
        "load_input(path, seed=seed, part=part)"),
    one("train-part-ignored", "train --part is ignored", CLI_MODELS,
        "load_input(path, copies=copies, seed=seed, part=part)",
        "load_input(path, copies=copies, seed=seed)"),
    one("evaluate-part-ignored", "evaluate --part is ignored", CLI_MODELS,
        "for d in load_input(path, part=part).documents", "for d in load_input(path).documents"),
    one("train-quiet-ignored", "train --quiet is ignored", CLI_MODELS,
        "if not quiet:\n                typer.echo", "if True:\n                typer.echo"),
    # --- metrics ----------------------------------------------------------------------------
    one("content-precision-recall-swapped", "content precision and recall swapped",
        "training/metrics.py", '"content": precision_recall_f1(cc, bc, cb)',
        '"content": precision_recall_f1(cc, cb, bc)'),
    one("classes-swapped", "content and boilerplate scores swapped", "training/metrics.py",
        '"content": precision_recall_f1(cc, bc, cb),\n'
        '        "boilerplate": precision_recall_f1(bb, cb, bc)',
        '"content": precision_recall_f1(bb, cb, bc),\n'
        '        "boilerplate": precision_recall_f1(cc, bc, cb)'),
    one("threshold-rule-argmax",
        "best_threshold returns the scan's best F1 instead of 1 - F*/2",
        "training/metrics.py", "return 1.0 - best_f1 / 2", "return best_f1 / 2"),
    one("worst-pages-unsorted", "worst_pages returns pages in input order",
        "training/evaluation.py", 'return sorted(pages, key=lambda p: -p["errors"])[:n]',
        "return pages[:n]"),
    # --- input edge cases -------------------------------------------------------------------
    one("ndjson-by-content", ".ndjson names are not JSON Lines by name", READING,
        'JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")',
        'JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")'),
    one("long-first-record-is-text",
        "a first record longer than the sniffed head is read as text", READING,
        'if "\\n" not in start:  # a first record longer than the sniffed head\n'
        '        return "jsonl"',
        'if "\\n" not in start:\n        return None'),
    one("record-cut-at-head", "a record across the end of the sniffed head is cut in two",
        "paysieve/documents/input_source.py",
        "yield rest + self._guarded(self._stream.readline)", "yield rest"),
    one("no-char-segments", "long texts are not cut by characters", READING,
        "if len(segment) >= SEGMENT_LINES or chars >= SEGMENT_CHARS:",
        "if len(segment) >= SEGMENT_LINES:"),
    one("utf16-html-refused",
        "UTF-16 HTML pages refused as binary (the bug fixed with these tests)", READING,
        "utf16 = self.source.head.startswith(UTF16_BOMS)", "utf16 = False"),
    one("html-depth-shifted", "HTML depth counted one too many", HTML_LINES,
        'is_block, in_pre, depth = block, in_pre or tag == "pre", depth + 1',
        'is_block, in_pre, depth = block, in_pre or tag == "pre", depth + 2'),
    one("ol-not-a-list", "<ol> is not a list zone", HTML_LINES,
        '_ZONE_BIT |= {"ul": _LIST_BIT, "ol": _LIST_BIT}', '_ZONE_BIT |= {"ul": _LIST_BIT}'),
    one("hints-not-summed", "class/id hints of ancestors are not added up", HTML_LINES,
        "bp_hints, ct_hints = bp_hints + bp, ct_hints + ct", "bp_hints, ct_hints = bp, ct"),
    one("heldout-share-zero", "is_heldout puts nothing in the held-out part",
        "training/compose.py", "% 100 < HELDOUT_SHARE * 100", "% 100 < 0"),
    # --- training data that trains the kinds only (0.10.0) -----------------------------------
    one("kinds-only-not-first", "fit_text_model keeps the kinds-only documents in place",
        LINE_CLASSIFIER, 'data = given.subset(np.argsort(given.kinds_only, kind="stable"))',
        "data = given"),
    one("kinds-only-in-folds", "cross-validation folds are made over the kinds-only documents",
        LINE_CLASSIFIER, "scored, kind_rows = np.flatnonzero(~only), np.flatnonzero(only)",
        "scored, kind_rows = np.arange(len(documents)), np.flatnonzero(only)"),
    one("kinds-only-untaught", "the kind model does not learn from the kinds-only rows",
        LINE_CLASSIFIER, "kind_model = self._fit_kind_model(X_all, kind_target)",
        "kind_model = self._fit_kind_model(X_all[:n], kind_target[:n])"),
    one("kinds-only-calibrated", "held_out_calibration fits on the kinds-only documents too",
        "training/fit.py",
        "scored = [(d, s) for d, s in zip(docs, oof) if not d.kinds_only]",
        "scored = list(zip(docs, oof))"),
    one("kinds-only-blocks-everywhere", "every composition uses the kinds-only blocks",
        "training/compose.py",
        "blocks = [b for b in source.blocks if kinds_only or not b.kinds_only]",
        "blocks = list(source.blocks)"),
    one("kinds-only-held-out", "the held-out part brings kinds-only documents",
        "training/fit.py", 'if part != "heldout":', "if True:"),
    one("kinds-only-evaluated", "evaluate scores the kinds-only documents", CLI_MODELS,
        "documents if not d.kinds_only]", "documents]"),
]  # fmt: skip
