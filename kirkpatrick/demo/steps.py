"""``kirkpatrick demo``: the sample data in, a database (and, in later steps, statistics and
reports) out. The demo is a list of steps over one ``DemoRun``; each feature adds its step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kirkpatrick.demo import contract as contract_demo
from kirkpatrick.demo import portfolio as portfolio_demo
from kirkpatrick.demo.run import DemoRun, Step
from kirkpatrick.domain.errors import InvalidInput
from kirkpatrick.resources import sample_data_dir
from kirkpatrick.services import records
from kirkpatrick.storage import db


def create_database(run: DemoRun) -> None:
    run.engine = db.make_engine(run.url)
    db.init_db(run.engine)
    run.echo(f"Created database {run.out / 'kirkpatrick.db'}")


def import_catalogue(run: DemoRun) -> None:
    assert run.engine is not None
    with db.transaction(run.engine) as s:
        measures = records.import_measures(s, run.data / "measures.csv")
    run.echo(f"Imported {len(measures)} measures from measures.csv")


def import_interventions(run: DemoRun) -> None:
    assert run.engine is not None
    with db.transaction(run.engine) as s:
        added = records.import_interventions(s, run.data / "interventions.csv")
        codes = ", ".join(i.code for i in added)
    run.echo(f"Imported {len(added)} interventions ({codes}) with their sessions and transfer factors")


def import_measurements(run: DemoRun) -> None:
    from kirkpatrick.io.importing import ImportOptions
    from kirkpatrick.io.importing import import_measurements as import_file

    assert run.engine is not None
    for spec in run.measurement_files():
        options = ImportOptions(
            intervention=spec["intervention"] or None,
            layout=spec["layout"] or None,
            wave=spec["wave"] or None,
            rater=spec["rater"] or None,
        )
        s = import_file(run.engine, run.data / spec["file"], options)
        run.echo(
            f"Imported {s.imported} measurements from {spec['file']} ({s.dialect.describe()}; "
            f"{s.participants_created} new participants, {s.item_responses} item responses)"
        )


def import_feedback(run: DemoRun) -> None:
    assert run.engine is not None
    with db.transaction(run.engine) as s:
        added = records.import_feedback(s, run.data / "feedback.csv")
        cleared = sum(f.cleared for f in added)
    run.echo(f"Imported {len(added)} feedback quotes ({cleared} cleared for reports)")


def write_stats_and_reports(run: DemoRun) -> None:
    """Every intervention's ``stats`` (JSON) and its report in Swedish and English."""
    import json

    from kirkpatrick.collect.tracking import response_tracking
    from kirkpatrick.reports import intervention as reports
    from kirkpatrick.services import analysis
    from kirkpatrick.stats import to_jsonable

    assert run.engine is not None
    folder = run.out / "reports"
    folder.mkdir(exist_ok=True)
    with db.reading(run.engine) as s:
        codes = [row["code"] for row in records.list_interventions(s)]
        for code in codes:
            result = analysis.analyse(s, code)
            tracking = response_tracking(s, code)
            stats_path = folder / f"{code}-stats.json"
            stats_path.write_text(
                json.dumps(to_jsonable(result.to_dict()), ensure_ascii=False, indent=2), encoding="utf-8"
            )
            run.written.append(stats_path)
            for lang in ("sv", "en"):
                run.written += reports.write_report(
                    result, folder / f"{code}-{lang}.html", lang=lang, tracking=tracking
                )
    run.echo(f"Wrote statistics and reports (sv, en) of {len(codes)} interventions to {folder}")


def add_portfolio(run: DemoRun) -> None:
    """Write the generated portfolio files into the demo folder and import them."""
    assert run.engine is not None
    paths = portfolio_demo.write_sample(run.out / "portfolio_sample")
    added, measurements = portfolio_demo.load_sample(run.engine, *paths)
    run.written += list(paths)
    run.echo(
        f"Imported a fictional portfolio: {added} more interventions, {measurements} measurements "
        f"(seed {portfolio_demo.DEFAULT_SEED}, {paths[0].parent})"
    )


def write_portfolio(run: DemoRun) -> None:
    """The portfolio of every intervention in the demo: report (sv, en), JSON and the effects CSV."""
    import json

    from kirkpatrick.reports import portfolio as portfolio_report
    from kirkpatrick.services import portfolio
    from kirkpatrick.stats import to_jsonable

    assert run.engine is not None
    folder = run.out / "reports"
    folder.mkdir(exist_ok=True)
    with db.reading(run.engine) as s:
        result = portfolio.build(s)
    for lang in ("sv", "en"):
        run.written += portfolio_report.write(result, html=folder / f"portfolio-{lang}.html", lang=lang)
    data = folder / "portfolio.json"
    data.write_text(json.dumps(to_jsonable(result.to_dict()), ensure_ascii=False, indent=2), encoding="utf-8")
    effects = folder / "portfolio-effects.csv"
    with open(effects, "w", newline="", encoding="utf-8") as f:
        portfolio.write_export(result, f)
    run.written += [data, effects]
    run.echo(
        f"Wrote the portfolio of {len(result.interventions)} interventions (sv, en, JSON, effects CSV) to {folder}"
    )


def add_demo_users(run: DemoRun) -> None:
    """Demo users for ``kirkpatrick serve --demo`` (docs/web.md)."""
    from kirkpatrick.services import accounts

    assert run.engine is not None
    with db.transaction(run.engine) as s:
        users = accounts.add_demo_accounts(s)
    run.echo(f"Added {len(users)} demo users for the web application (password {accounts.DEMO_PASSWORD})")


STEPS: list[Step] = [
    create_database,
    import_catalogue,
    import_interventions,
    import_measurements,
    import_feedback,
    write_stats_and_reports,
    # The portfolio: a generated set of fictional interventions, then the report over all of them.
    add_portfolio,
    write_portfolio,
    # A city's coaching contract: three call-offs, eight interviews, a delivery summary; its follow-up report.
    contract_demo.demo_contract,
    add_demo_users,
]


def default_out_dir(cwd: Path) -> Path:
    """A new folder in ``cwd``: kirkpatrick-demo, or kirkpatrick-demo-2, -3, ..."""
    candidate = cwd / "kirkpatrick-demo"
    number = 1
    while candidate.exists():
        number += 1
        candidate = cwd / f"kirkpatrick-demo-{number}"
    return candidate


def run_demo(out: Path, echo: Callable[[str], None], steps: list[Step] | None = None) -> DemoRun:
    """Build the demo in ``out`` (a new or empty folder) and return what was done."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(f"{out} exists and is not an empty folder; give a new --out")
    out.mkdir(parents=True, exist_ok=True)
    run = DemoRun(out=out, data=sample_data_dir(), echo=echo)
    for step in STEPS if steps is None else steps:
        step(run)
    return run
