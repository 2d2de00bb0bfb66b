"""``kirkpatrick survey ...``: questionnaires, waves, respondents, sending, tracking, retention."""

from __future__ import annotations

import datetime as dt
import json
import time

import click

from kirkpatrick.cli._common import App, FriendlyGroup, echo_json, echo_table, json_option, pass_app
from kirkpatrick.cli.root import main
from kirkpatrick.domain.errors import InvalidInput


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {value!r}") from None


@main.group(cls=FriendlyGroup)
def survey() -> None:
    """Collect answers with personal survey links: questionnaires, waves, invitations, reminders."""


@survey.command("bank")
@pass_app
def bank_command(app: App) -> None:
    """Load the shipped question bank (and its catalogue measures if missing).

    Example: kirkpatrick survey bank
    """
    from kirkpatrick.collect import bank
    from kirkpatrick.services import records

    with app.transaction() as s:
        if bank.missing_measures(s):
            records.import_measures(s, bank.measures_csv())
        n = bank.load_bank(s)
    click.echo(f"{n} questions in the bank")


@survey.command("questions")
@click.option("--organisation", help="Also this organisation's own questions (default: the shipped bank only).")
@json_option
@pass_app
def questions_command(app: App, organisation: str | None, as_json: bool) -> None:
    """List the question bank: the shipped questions, and with --organisation that organisation's own.

    Example: kirkpatrick survey questions --organisation Konsultbolaget
    """
    from kirkpatrick.collect import bank
    from kirkpatrick.services import accounts

    with app.reading() as s:
        owner = accounts.get_organisation(s, organisation).id if organisation else None
        rows = [q.__dict__ for q in bank.list_questions(s, owner)]
    echo_json(rows) if as_json else echo_table(rows, ["code", "kind", "measure", "item", "own", "text_en"])


@survey.command("add-question")
@click.argument("code")
@click.option("--organisation", required=True, help="The consultancy whose own question it is.")
@click.option("--kind", type=click.Choice(["scale", "open"]), default="scale", show_default=True)
@click.option("--sv", "text_sv", required=True, help="Wording in Swedish.")
@click.option("--en", "text_en", required=True, help="Wording in English.")
@click.option("--measure", help="Catalogue measure a scale answer counts towards.")
@click.option("--item", help="Its item, for measures with items.")
@click.option("--other-sv", help="Wording for others rating the participant, Swedish.")
@click.option("--other-en", help="Wording for others rating the participant, English.")
@click.option("--level", help="Open questions: level of the feedback they give.")
@pass_app
def add_question_command(
    app: App,
    code: str,
    organisation: str,
    kind: str,
    text_sv: str,
    text_en: str,
    measure: str | None,
    item: str | None,
    other_sv: str | None,
    other_en: str | None,
    level: str | None,
) -> None:
    """Add a question to ORGANISATION's own bank (only its interventions can use it).

    Example: kirkpatrick survey add-question eget_1 --organisation Konsultbolaget --kind open --sv "Vad?" --en "What?"
    """
    from kirkpatrick.collect import bank
    from kirkpatrick.services import accounts

    fields = bank.QuestionFields(code, kind, text_sv, text_en, measure, item, other_sv, other_en, level=level)
    with app.transaction() as s:
        owner = accounts.get_organisation(s, organisation).id
        bank.add_question(s, fields, owner=owner)
    click.echo(f"question {code} added to the bank of {organisation}")


@survey.command("questionnaire")
@click.argument("code")
@click.option("--wave", required=True)
@click.option("--rater", default="self", show_default=True)
@click.option("--question", "questions", multiple=True, help="Bank question code, in order (default: the shipped set).")
@pass_app
def questionnaire_command(app: App, code: str, wave: str, rater: str, questions: tuple[str, ...]) -> None:
    """Set the questions RATER answers at WAVE. Example: kirkpatrick survey questionnaire NRB-LG-2024 --wave pre"""
    from kirkpatrick.collect import plan

    with app.transaction() as s:
        q = plan.set_questionnaire(s, code, plan.parse_wave(wave), plan.parse_rater(rater), list(questions))
        n = len(q.questions)
    click.echo(f"{code} {wave}/{rater}: {n} questions")


@survey.command("schedule")
@click.argument("code")
@click.option("--follow-up-days", default=90, show_default=True, help="Days after the last session (30/60/90).")
@click.option("--window", default=14, show_default=True, help="Days each wave stays open.")
@click.option("--reminder-days", default=4, show_default=True)
@click.option("--max-reminders", default=2, show_default=True)
@pass_app
def schedule_command(
    app: App, code: str, follow_up_days: int, window: int, reminder_days: int, max_reminders: int
) -> None:
    """Schedule pre, post (after the last session) and follow-up.

    Example: kirkpatrick survey schedule NRB-LG-2024 --follow-up-days 90
    """
    from kirkpatrick.collect import plan

    with app.transaction() as s:
        waves = plan.schedule(
            s,
            code,
            follow_up_days=follow_up_days,
            window_days=window,
            reminder_days=reminder_days,
            max_reminders=max_reminders,
        )
        rows = [
            {"wave": w.wave.value, "opens": w.opens_on.isoformat(), "closes": w.closes_on.isoformat()} for w in waves
        ]
    echo_table(rows, ["wave", "opens", "closes"])


@survey.command("wave")
@click.argument("code")
@click.option("--wave", required=True)
@click.option("--opens", required=True, help="YYYY-MM-DD")
@click.option("--closes", required=True, help="YYYY-MM-DD")
@click.option("--reminder-days", default=4, show_default=True)
@click.option("--max-reminders", default=2, show_default=True)
@pass_app
def wave_command(
    app: App, code: str, wave: str, opens: str, closes: str, reminder_days: int, max_reminders: int
) -> None:
    """Open one wave between two dates.

    Example: kirkpatrick survey wave NRB-LG-2024 --wave pre --opens 2024-01-01 --closes 2024-01-14
    """
    from kirkpatrick.collect import plan

    with app.transaction() as s:
        plan.set_wave(
            s,
            code,
            plan.parse_wave(wave),
            dt.date.fromisoformat(opens),
            dt.date.fromisoformat(closes),
            reminder_days=reminder_days,
            max_reminders=max_reminders,
        )
    click.echo(f"{code} {wave}: {opens} to {closes}")


@survey.command("respondent")
@click.argument("code")
@click.argument("participant")
@click.argument("email")
@click.option("--rater", default="self", show_default=True, help="self, or the participant's manager/report/peer.")
@click.option("--lang", default="sv", show_default=True, type=click.Choice(["sv", "en"]))
@pass_app
def respondent_command(app: App, code: str, participant: str, email: str, rater: str, lang: str) -> None:
    """Add a participant's address, or name a rater for them; each gets their own links.

    Example: kirkpatrick survey respondent NRB-LG-2024 p001 anna@kommun.se --rater manager
    """
    from kirkpatrick.collect import plan

    with app.transaction() as s:
        added = plan.add_respondent(s, code, participant, email, rater=plan.parse_rater(rater), lang=lang)
    click.echo(f"{added.participant} ({added.rater}): {added.invitations} new invitations")


@survey.command("send")
@click.option("--intervention", "code", help="Only this intervention.")
@click.option("--today", help="Act as if today were this date (YYYY-MM-DD).")
@click.option("--every", type=int, help="Keep running, sending what is due every N seconds.")
@json_option
@pass_app
def send_command(app: App, code: str | None, today: str | None, every: int | None, as_json: bool) -> None:
    """Send the invitations and reminders that are due (safe to repeat; for cron or a timer).

    Needs $KIRKPATRICK_SMTP_URL (smtp://user:password@host:587), $KIRKPATRICK_BASE_URL
    (where the form is served) and $KIRKPATRICK_MAIL_FROM.

    Example: kirkpatrick survey send
    """
    from kirkpatrick.collect import mail

    while True:
        report = mail.send_due_now(app.engine, intervention=code, today=_date(today))
        if as_json:
            echo_json(report.as_dict())
        else:
            click.echo(
                f"queued {report.queued}, sent {report.sent}, failed {report.failed}, "
                f"left in 'sending' by an interrupted run {report.stuck}"
            )
        if not every:
            return
        time.sleep(every)


@survey.command("outbox")
@click.argument("code")
@click.option("--state", type=click.Choice(["pending", "sending", "sent", "failed"]))
@json_option
@pass_app
def outbox_command(app: App, code: str, state: str | None, as_json: bool) -> None:
    """List the messages of an intervention. Example: kirkpatrick survey outbox X --state sending"""
    from kirkpatrick.collect import mail
    from kirkpatrick.storage.queries import get_intervention

    with app.reading() as s:
        rows = [r.__dict__ for r in mail.list_outbox(s, get_intervention(s, code).id, state)]
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["id", "participant", "wave", "rater", "kind", "number", "state", "sent_at"])


@survey.command("resend")
@click.argument("ids", nargs=-1, type=int, required=True)
@pass_app
def resend_command(app: App, ids: tuple[int, ...]) -> None:
    """Send stuck ('sending') or failed messages again on the next `send` (check first that they did not arrive)."""
    from kirkpatrick.collect import mail

    with app.transaction() as s:
        n = mail.resend(s, list(ids))
    click.echo(f"{n} messages back to pending")


@survey.command("status")
@click.argument("code")
@json_option
@pass_app
def status_command(app: App, code: str, as_json: bool) -> None:
    """Invited, opened, answered per wave and rater group. Example: kirkpatrick survey status X

    Direct reports' and peers' groups smaller than the client's threshold (survey privacy
    --min-raters; default 5) show no opened, answered or reminder counts ("withheld").
    """
    from kirkpatrick.collect import tracking

    with app.reading() as s:
        rows = []
        for r in tracking.response_tracking(s, code):
            row = r.as_dict()
            row["withheld"] = tracking.withheld(r)
            if row["withheld"]:
                row.update(opened=None, answered=None, reminders=None, response_rate=None)
            rows.append(row)
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["wave", "rater", "respondents", "invited", "opened", "answered", "reminders", "closes_on"])


@survey.command("privacy")
@click.argument("client")
@click.option("--sv", "privacy_sv", help="Privacy notice in Swedish ($client, $title are filled in).")
@click.option("--en", "privacy_en", help="Privacy notice in English.")
@click.option("--retention-days", type=int, help="Days after the last wave closes before addresses are deleted.")
@click.option("--min-raters", type=int, help="Reports/peers needed before their ratings are stored.")
@pass_app
def privacy_command(
    app: App,
    client: str,
    privacy_sv: str | None,
    privacy_en: str | None,
    retention_days: int | None,
    min_raters: int | None,
) -> None:
    """Set a client's privacy notice, retention period and rater-group threshold."""
    from kirkpatrick.collect import privacy

    with app.transaction() as s:
        settings = privacy.set_client_settings(
            s,
            client,
            privacy_sv=privacy_sv,
            privacy_en=privacy_en,
            retention_days=retention_days,
            min_raters=min_raters,
        )
        click.echo(f"{client}: retention {settings.retention_days} days")


@survey.command("retention")
@click.option("--today", help="Act as if today were this date (YYYY-MM-DD).")
@pass_app
def retention_command(app: App, today: str | None) -> None:
    """Delete e-mail addresses whose retention period has passed (for cron)."""
    from kirkpatrick.collect import privacy

    with app.transaction() as s:
        result = privacy.apply_retention(s, _date(today) or dt.date.today())
    click.echo(f"{result.contacts_deleted} addresses deleted ({', '.join(result.interventions) or 'none due'})")


@survey.command("export")
@click.argument("code")
@click.argument("participant")
@pass_app
def export_command(app: App, code: str, participant: str) -> None:
    """Everything stored about one participant, as JSON (their copy under the GDPR)."""
    from kirkpatrick.collect import privacy

    with app.reading() as s:
        click.echo(json.dumps(privacy.export_participant(s, code, participant), ensure_ascii=False, indent=2))


@survey.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@pass_app
def serve_command(app: App, host: str, port: int) -> None:
    """Serve the respondent form alone (the full web application also serves it)."""
    import os
    import secrets

    from flask import Flask
    from flask_wtf.csrf import CSRFProtect

    from kirkpatrick.web import respondent_form as web_survey

    flask_app = Flask("kirkpatrick.survey")
    flask_app.config.update(
        SECRET_KEY=os.environ.get("KIRKPATRICK_SECRET_KEY") or secrets.token_hex(32),
        KIRKPATRICK_ENGINE=app.engine,
    )
    CSRFProtect(flask_app)  # type: ignore[no-untyped-call]
    web_survey.register(flask_app)
    flask_app.run(host=host, port=port)
