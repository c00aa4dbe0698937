"""``mltrl check ...``: sim-to-real, fairness and causal checks on data files, recorded as evidence."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli._check_output import show_and_exit
from mltrl.cli._context import writing
from mltrl.cli._output import FORMAT, JSON, Format, choose

app = typer.Typer(no_args_is_help=True)
REF = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1.1")
SAVE = typer.Option(True, "--record/--no-record", help="Record the result as evidence (default)")
SOURCE = typer.Option("cli", "--source", help="cli or ci")
DATA = typer.Option(..., "--data", help="The data (CSV or Parquet)")
TREATMENT = typer.Option(..., "--treatment", help="The 0/1 treatment column")
COVARIATES = typer.Option([], "--covariate", help="A covariate (repeatable; default: every other column)")


@app.command("sim-to-real")
def sim_to_real(
    ref: str = REF,
    synthetic: Path = typer.Option(
        ..., "--synthetic", help="The synthetic or simulated data (CSV or Parquet)"
    ),
    real: Path = typer.Option(..., "--real", help="The real data (CSV or Parquet)"),
    label: str | None = typer.Option(None, "--label", help="The label column, for the metric gap"),
    prediction: str | None = typer.Option(None, "--prediction", help="The model's prediction column"),
    feature: list[str] = typer.Option(
        [], "--feature", help="A feature (repeatable; default: shared columns)"
    ),
    max_domain_auc: float = typer.Option(0.75, "--max-domain-auc", help="How easily they may be told apart"),
    max_gap: float = typer.Option(0.05, "--max-gap", help="Accuracy on synthetic minus on real, at most"),
    requirement: str | None = typer.Option(
        None, "--requirement", help="Also back this requirement's V&V step"
    ),
    step: int | None = typer.Option(None, "--step", help="The V&V step of --requirement"),
    save: bool = SAVE,
    source: str = SOURCE,
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """How far the synthetic data sit from the real: per-feature drift, a domain classifier's AUC and the
    accuracy gap, with intervals; recorded on L4.sim-to-real. Exit 1 unless it passes.

    Example: `mltrl check sim-to-real recycling/1.1 --synthetic renders.csv --real photos.csv --label label
    --prediction predicted`
    """
    from mltrl.checks.science_record import sim_to_real as run

    with writing() as reg:
        result, evidence = run(reg, ref, synthetic, real, label=label, prediction=prediction,
                               features=feature or None, max_domain_auc=max_domain_auc, max_gap=max_gap,
                               requirement=requirement, step=step, save=save, source=source)  # fmt: skip
    show_and_exit(ref, "sim-to-real check", result, evidence, choose(fmt, as_json))


@app.command("fairness")
def fairness(
    ref: str = REF,
    data: Path = DATA,
    group: str = typer.Option(..., "--group", help="A group column a datasheet names"),
    label: str = typer.Option(..., "--label", help="The true outcome column (0/1)"),
    prediction: str = typer.Option(..., "--prediction", help="The model's decision column (0/1)"),
    measure: list[str] = typer.Option(
        [], "--measure", help="demographic_parity and/or equalized_odds (default: both)"
    ),
    max_difference: float = typer.Option(0.1, "--max-difference", help="Largest gap between groups"),
    criterion: str | None = typer.Option(None, "--criterion", help="The gate criterion it backs"),
    requirement: str | None = typer.Option(None, "--requirement", help="The requirement whose V&V it backs"),
    step: int | None = typer.Option(None, "--step", help="The V&V step of --requirement"),
    save: bool = SAVE,
    source: str = SOURCE,
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Do the decisions treat the groups alike? Demographic parity and equalized odds across a group the
    datasheet names, per-group rates with bootstrap intervals (fairlearn). Exit 1 unless it passes.

    Example: `mltrl check fairness biolab/1.1 --data decisions.csv --group sex --label y --prediction
    decided --requirement 4 --step 1`
    """
    from mltrl.checks.science_record import fairness as run

    with writing() as reg:
        result, evidence = run(reg, ref, data, group=group, label=label, prediction=prediction,
                               measures=measure or None, max_difference=max_difference, criterion=criterion,
                               requirement=requirement, step=step, save=save, source=source)  # fmt: skip
    show_and_exit(ref, "fairness check", result, evidence, choose(fmt, as_json))


@app.command("balance")
def balance(
    ref: str = REF,
    data: Path = DATA,
    treatment: str = TREATMENT,
    covariate: list[str] = COVARIATES,
    max_smd: float | None = typer.Option(None, "--max-smd", help="Largest |SMD| after weighting (0.1)"),
    save: bool = SAVE,
    source: str = SOURCE,
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Covariate balance: standardised mean differences before and after propensity weighting, recorded on
    L1.covariate-balance (projects with the causal trait). Exit 1 unless it passes.

    Example: `mltrl check balance causal-dx/1.1 --data records.csv --treatment treated`
    """
    _causal(ref, "balance", data, treatment, covariate, max_smd, save, source, choose(fmt, as_json))


@app.command("overlap")
def overlap(
    ref: str = REF,
    data: Path = DATA,
    treatment: str = TREATMENT,
    covariate: list[str] = COVARIATES,
    bound: float | None = typer.Option(None, "--bound", help="Propensities within [b, 1-b] overlap (0.05)"),
    save: bool = SAVE,
    source: str = SOURCE,
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Overlap (positivity): the share of units whose propensity lies away from 0 and 1, recorded on
    L1.overlap. Exit 1 unless it passes.

    Example: `mltrl check overlap causal-dx/1.1 --data records.csv --treatment treated`
    """
    _causal(ref, "overlap", data, treatment, covariate, bound, save, source, choose(fmt, as_json))


@app.command("e-value")
def e_value(
    ref: str = REF,
    risk_ratio: tuple[float, float, float] = typer.Option(
        ..., "--risk-ratio", help="The estimate and its interval: ESTIMATE LOW HIGH"
    ),
    min_e_value: float | None = typer.Option(None, "--min-e-value", help="Required for the bound (2)"),
    save: bool = SAVE,
    source: str = SOURCE,
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Sensitivity analysis: the E-value of a risk ratio's interval bound (how strong an unmeasured
    confounder would have to be), recorded on L2.causal-sensitivity. Exit 1 unless it passes.

    Example: `mltrl check e-value causal-dx/1.1 --risk-ratio 1.4 1.1 1.8`
    """
    from mltrl.checks.science_record import causal

    with writing() as reg:
        result, evidence = causal(reg, ref, "e-value", risk_ratio=risk_ratio, threshold=min_e_value,
                                  save=save, source=source)  # fmt: skip
    show_and_exit(ref, "e-value check", result, evidence, choose(fmt, as_json))


def _causal(ref: str, kind: str, data: Path, treatment: str, covariates: list[str], threshold: float | None,
            save: bool, source: str, fmt: Format) -> None:  # fmt: skip
    from mltrl.checks.science_record import causal

    with writing() as reg:
        result, evidence = causal(reg, ref, kind, data=data, treatment=treatment,
                                  covariates=covariates or None, threshold=threshold, save=save,
                                  source=source)  # fmt: skip
    show_and_exit(ref, f"{kind} check", result, evidence, fmt)
