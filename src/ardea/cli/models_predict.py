"""``ardea models predict``: score a CSV, JSON Lines, Parquet or JSON file with a model.

MLflow's flags (``-m``, ``-i``, ``-o``, ``-t``); the engine is
:func:`ardea.models.batch.predict_file` (docs/models.md#batch-scoring).
"""

from __future__ import annotations

import click

__all__ = ["predict"]


@click.command("predict")
@click.option("-m", "--model-uri", required=True, help="The model: a path, models:/ or runs:/.")
@click.option(
    "-i",
    "--input-path",
    default=None,
    type=click.Path(dir_okay=False),
    help="The input file (.csv, .jsonl, .parquet, or .json as MLflow's scoring payload). "
    "Omitted: stdin.",
)
@click.option(
    "-o",
    "--output-path",
    default=None,
    type=click.Path(dir_okay=False),
    help="The output file: the input's columns plus the predictions for .csv, .jsonl and "
    '.parquet; MLflow\'s {"predictions": [...]} JSON for other names. Omitted: JSON on stdout.',
)
@click.option(
    "-t",
    "--content-type",
    type=click.Choice(["csv", "json", "jsonl", "parquet"]),
    default=None,
    help="The input's format. [default: from the input's extension; json for stdin]",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1),
    default=10_000,
    show_default=True,
    help="Rows read and predicted at a time.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Rows done, total and rows/s on stderr. [default: on a terminal]",
)
@click.option(
    "--allow-pickle",
    is_flag=True,
    help="Load pickle files this process did not write (the model's source must be trusted).",
)
@click.option(
    "--env-manager",
    type=click.Choice(["local"]),
    default="local",
    show_default=True,
    help="Accepted for MLflow compatibility: the model runs in this Python environment.",
)
def predict(
    model_uri: str,
    input_path: str | None,
    output_path: str | None,
    content_type: str | None,
    batch_size: int,
    progress: bool | None,
    allow_pickle: bool,
    env_manager: str,
) -> None:
    """Score a file with a model, chunk by chunk; the predictions are added as columns."""
    import importlib.util

    missing = [m for m in ("pandas", "pyarrow") if importlib.util.find_spec(m) is None]
    if missing:
        raise click.ClickException(
            f"ardea models predict needs {' and '.join(missing)} (files are read and written "
            "as DataFrames and Arrow tables): pip install 'ardea[serving]'."
        )
    from ardea._core.errors import FailedPreconditionError
    from ardea.models.batch import predict_file

    try:
        result = predict_file(
            model_uri,
            input_path,
            output_path,
            content_type=content_type,
            batch_size=batch_size,
            allow_pickle=True if allow_pickle else None,
            progress=progress,
        )
    except FailedPreconditionError as exc:
        raise click.ClickException(
            f"{exc.message} With ardea models predict: --allow-pickle (trusted models only)."
        ) from None
    if output_path is not None:
        click.echo(
            f"Scored {result.rows} rows in {result.seconds:.1f} s "
            f"({result.rows_per_second:,.0f} rows/s) -> {output_path}",
            err=True,
        )
