"""``paysieve train``, ``evaluate`` and ``info``: fitting, scoring and describing a model."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from paysieve.inference.cli.app import Command, app, run_action
from paysieve.inference.cli.exit_codes import EXIT_CODES_HELP
from paysieve.inference.cli.options import (
    ModelOpt,
    QuietOpt,
    SourceWeight,
    ThresholdOpt,
    choice_option,
    non_negative_number,
    source_weight,
    whole_number,
)

PARTS = ("all", "train", "heldout")


@app.command(cls=Command, epilog=EXIT_CODES_HELP)
def train(
    data: list[Path] = typer.Argument(..., metavar="PATH", hidden=True, show_default=False),
    output: Path = typer.Option(
        ..., "--output", "-o", metavar="PATH", help="Where to write the model file."
    ),
    folds: int = typer.Option(
        5, metavar="N", parser=whole_number(2), help="Grouped cross-validation folds."
    ),
    copies: int = typer.Option(
        4, metavar="N", parser=whole_number(1), help="Composed documents per corpus article."
    ),
    seed: int = typer.Option(
        20261128,
        metavar="N",
        parser=whole_number(0),
        help="Seed for composing corpus documents.",
    ),
    real_weight: float = typer.Option(
        2.0,
        metavar="W",
        parser=non_negative_number,
        help="Weight of real-page lines vs composed.",
    ),
    source_weights: list[SourceWeight] = typer.Option(
        [],
        "--source-weight",
        metavar="SOURCE=W",
        parser=source_weight,
        show_default=False,
        help="Scale the weight of the real pages of one source (their 'source' field); "
        "0 leaves them out of training. Repeatable.",
    ),
    part: str = choice_option(
        "all",
        "--part",
        choices=PARTS[:2],
        help="Corpus part to train on (train: the held-out part kept out).",
    ),
    quiet: bool = QuietOpt,
) -> None:
    """Train a model and report its cross-validated metrics.

    PATH: corpus source folders (datasets/source) and labelled JSON Lines files (.gz ok).
    Records whose 'html' holds their page, or names it beside the file or in its html/
    folder, also train the HTML stage. Corpus blocks marked 'trains: kinds' and records
    with "kinds_only": true train the boilerplate kinds only, never the boilerplate
    probability.

    Grouped cross-validation (by site / by article), calibration and threshold on the
    out-of-fold scores, then the final fit on everything; then, when some records bring
    their HTML page, the HTML stage on those pages.
    """

    def action() -> None:
        from paysieve.model.persistence import save_model
        from paysieve.training.fit import load_input
        from paysieve.training.fit import train as fit

        def progress(msg: str) -> None:
            if not quiet:
                typer.echo(f"paysieve: {msg}", err=True)

        inputs = []
        for path in data:
            progress(f"reading {path}")
            inputs.append(load_input(path, copies=copies, seed=seed, part=part))
        result = fit(
            inputs,
            folds=folds,
            real_weight=real_weight,
            progress=progress,
            source_weights={s.source: s.weight for s in source_weights},
        )
        result.metadata["compose"] = {"copies": copies, "seed": seed, "part": part}
        save_model(result.model, output, result.metadata)
        typer.echo(f"model written to {output} (threshold {result.model.threshold_:.3f})")
        typer.echo(
            _metrics_table(
                result.metadata["cross_validated_metrics"], "cross-validated (grouped) metrics"
            )
        )
        typer.echo(_html_stage_report(result.metadata.get("html_stage")))

    run_action(action)


def _metrics_table(metrics: dict, title: str) -> str:
    rows = [
        title,
        f"{'data':<48} {'lines':>7} {'C-P':>6} {'C-R':>6} {'C-F1':>6} "
        f"{'BP-P':>6} {'BP-R':>6} {'BP-F1':>6} {'acc':>6}",
    ]
    for name, m in metrics.items():
        c, b = m["content"], m["boilerplate"]
        rows.append(
            f"{name[-48:]:<48} {m['lines']:>7} {c['precision']:>6.3f} {c['recall']:>6.3f} "
            f"{c['f1']:>6.3f} {b['precision']:>6.3f} {b['recall']:>6.3f} {b['f1']:>6.3f} "
            f"{m['accuracy']:>6.3f}"
        )
    return "\n".join(rows)


def _html_stage_report(stage: dict | None) -> str:
    """What a model's metadata says of its HTML stage."""
    if not stage:
        return "HTML stage: none (HTML input is scored by its lines alone)"
    return f"HTML stage: fitted on {stage['pages']} pages with their HTML\n" + _metrics_table(
        {"text model": stage["text_model"], "HTML stage": stage["html_stage"]},
        "on those pages, cross-validated (grouped)",
    )


@app.command(cls=Command, epilog=EXIT_CODES_HELP)
def evaluate(
    data: list[Path] = typer.Argument(..., metavar="PATH", hidden=True, show_default=False),
    model: Path | None = ModelOpt,
    threshold: float | None = ThresholdOpt,
    part: str = choice_option(
        "heldout",
        "--part",
        choices=PARTS,
        help="For corpus folders: the part to score.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    errors: int = typer.Option(
        0, metavar="N", parser=whole_number(0), help="Also list the N pages with the most errors."
    ),
    plot: Path | None = typer.Option(
        None,
        "--plot",
        metavar="PATH",
        help="Also draw the precision-recall curve (threshold marked) and the calibration "
        "curve of the boilerplate score to this PNG (needs matplotlib: the plot extra).",
    ),
) -> None:
    """Score a model on labelled data (PATH: labelled JSON Lines files or corpus folders).

    Precision, recall and F1 of both classes, accuracy and the confusion matrix (null
    labels ignored); optionally the worst pages and a curves plot. Documents that train
    the kinds only are not scored.
    """

    def action() -> None:
        from paysieve.inference.detector import Detector
        from paysieve.training.evaluation import evaluate_documents, worst_pages
        from paysieve.training.fit import load_input

        detector = Detector(model, threshold)
        report, pages, labels, scores = {}, [], [], []
        for path in data:
            docs = [d for d in load_input(path, part=part).documents if not d.kinds_only]
            metrics, preds = evaluate_documents(detector, docs)
            report[str(path)] = metrics
            pages += worst_pages(docs, preds, errors, detector.threshold) if errors else []
            labels += [d.labels for d in docs]
            scores += preds
        if plot is not None:
            import numpy as np

            from paysieve.errors import InputError

            if not labels:
                raise InputError("no labelled documents to plot")

            from paysieve.training.evaluation_plot import plot_scores

            plot_scores(
                np.concatenate(labels),
                np.concatenate(scores),
                detector.threshold,
                plot,
                title=", ".join(p.name for p in data),
            )
        if as_json:
            typer.echo(json.dumps(report, indent=2))
        else:
            typer.echo(_metrics_table(report, f"threshold {detector.threshold:.3f}"))
            for m_name, m in report.items():
                (cc, cb), (bc, bb) = m["confusion"]
                typer.echo(
                    f"{m_name}: confusion (true\\pred) content: {cc} kept, {cb} removed; "
                    f"boilerplate: {bc} kept, {bb} removed"
                )
        for page in sorted(pages, key=lambda p: -p["errors"])[:errors]:
            typer.echo(
                f"\n{page['id']}: {page['errors']} errors of {page['scored']} scored lines",
                err=as_json,
            )
            for row in page["lines"]:
                typer.echo(f"  {row}", err=as_json)

    run_action(action)


@app.command(cls=Command, epilog=EXIT_CODES_HELP)
def info(
    model: Path | None = ModelOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the whole metadata as JSON."),
) -> None:
    """Describe a model: kinds and groups, training data, metrics."""

    def action() -> None:
        from paysieve.model.persistence import default_model_path, load_model

        from paysieve.labels import KIND_GROUPS

        fitted, meta = load_model(model)
        kinds = list(fitted.kind_classes_)
        if as_json:
            typer.echo(json.dumps({**meta, "kinds": kinds, "kind_groups": KIND_GROUPS}, indent=2))
            return
        typer.echo(f"model: {model or default_model_path()}")
        typer.echo(f"threshold: {meta['threshold']:.3f}   labels: {', '.join(meta['labels'])}")
        typer.echo(f"boilerplate kinds: {', '.join(kinds) or '-'}")
        groups = "; ".join(
            f"{name} = {', '.join(members)}" for name, members in KIND_GROUPS.items()
        )
        typer.echo(f"kind groups (for --drop / --keep): {groups}")
        typer.echo("written by: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()))
        trained_with = "".join(f" with {k} {v}" for k, v in meta.get("trained_with", {}).items())
        typer.echo(
            f"trained: {meta.get('trained_at', '?')} in {meta.get('training_seconds')} s"
            + trained_with
        )
        for inp in meta.get("trained_on", []):
            kinds_only = inp.get("kinds_only_documents")
            also = f" (and {kinds_only} that train the kinds only)" if kinds_only else ""
            typer.echo(
                f"  input {inp['path']}: {inp['documents']} documents{also}, "
                f"{inp['scored_lines']} labelled lines, sha256 {inp['sha256'][:16]}"
            )
        if meta.get("cross_validated_metrics"):
            typer.echo(
                _metrics_table(meta["cross_validated_metrics"], "cross-validated (grouped) metrics")
            )
        typer.echo(_html_stage_report(meta.get("html_stage")))

    run_action(action)
