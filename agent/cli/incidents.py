"""`triage incidents list|show|open|ack|mitigate|resolve|reopen|priority|assign|link`."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from agent.cli.options import ConfigOpt, HomeOpt, fail, resolve_config, resolve_settings
from agent.incidents.clock import StreamClock
from agent.incidents.model import Actor, IncidentError
from agent.incidents.runtime import IncidentResponse
from agent.incidents.views import incident_dict, one_line
from agent.kernel.db import open_db

app = typer.Typer(help="Incident records: lifecycle, people, timeline.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output.")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", "-r", help="Why (kept in the "
                                                                       "timeline).")]
IdArg = Annotated[str, typer.Argument(help="Incident id, e.g. INC-3.")]


def _now() -> datetime:
    """The operator's time (the CLI boundary; recorded as when the human acted)."""
    return datetime.now(UTC)


def _open(home: HomeOpt, config: ConfigOpt, *, with_kb: bool = False) -> IncidentResponse:
    settings = resolve_settings(home=home, config=config)
    org = resolve_config(settings)
    conn = open_db(settings.db_path)
    labels = None
    if with_kb:  # priority changes become labeled past cases
        from agent.incidents.runtime import label_sink
        from agent.store.signals import SignalStore
        from agent.wiring import open_kb

        labels = label_sink(open_kb(settings, org), SignalStore(conn))
    return IncidentResponse.open(conn, org, clock=StreamClock(_now), labels=labels)


def _actor() -> Actor:
    """The operator at this terminal."""
    try:
        return Actor(getpass.getuser(), "cli")
    except (KeyError, OSError):
        return Actor("operator", "cli")


def _run(fn, *args: object, **kw: object):  # noqa: ANN001, ANN202 (thin CLI helper)
    try:
        return fn(*args, **kw)
    except IncidentError as exc:
        raise fail(str(exc)) from None


@app.command("list")
def list_incidents(all_: Annotated[bool, typer.Option("--all", help="Resolved ones too.")] =
                   False, state: Annotated[str | None, typer.Option("--state")] = None,
                   as_json: JsonOpt = False, home: HomeOpt = None,
                   config: ConfigOpt = None) -> None:
    """Incidents, newest first (unresolved only unless --all or --state)."""
    response = _open(home, config)
    items = response.service.list(state, open_only=not all_ and state is None)
    for incident in items:
        typer.echo(json.dumps(incident_dict(incident, full=False)) if as_json
                   else one_line(incident))
    if not items and not as_json:
        typer.echo("no incidents")


@app.command("show")
def show(incident_id: IdArg, as_json: JsonOpt = False, home: HomeOpt = None,
         config: ConfigOpt = None) -> None:
    """One incident with its links and timeline."""
    response = _open(home, config)
    incident = _run(response.service.get, incident_id)
    if as_json:
        typer.echo(json.dumps(incident_dict(incident), indent=2))
        return
    typer.echo(one_line(incident))
    for key in ("opened_at", "acknowledged_at", "mitigated_at", "resolved_at", "verification"):
        value = getattr(incident, key)
        if value is not None:
            typer.echo(f"  {key}: {value}")
    typer.echo("  links: " + ", ".join(f"{link.kind}:{link.ref}" for link in incident.links))
    for entry in incident.timeline:
        why = f" — {entry.reason}" if entry.reason else ""
        typer.echo(f"  {entry.at.isoformat()} {entry.actor} {entry.event}: {entry.detail}{why}")


def _verb(verb: str):  # noqa: ANN202
    def command(incident_id: IdArg, reason: ReasonOpt = None, home: HomeOpt = None,
                config: ConfigOpt = None) -> None:
        response = _open(home, config)
        incident = _run(response.service.transition, incident_id, verb, _actor(), reason=reason)
        typer.echo(one_line(incident))
    command.__doc__ = {"ack": "Acknowledge an incident (stops escalation).",
                       "mitigate": "Mark an incident mitigated (impact stopped).",
                       "resolve": "Resolve an incident.",
                       "reopen": "Reopen a mitigated or resolved incident."}[verb]
    return command


for _name in ("ack", "mitigate", "resolve", "reopen"):
    app.command(_name)(_verb(_name))


@app.command("priority")
def priority(incident_id: IdArg, value: Annotated[str, typer.Argument(help="P1 … P5.")],
             reason: Annotated[str, typer.Option("--reason", "-r", help="Why (required).")],
             severity: Annotated[str | None, typer.Option("--severity")] = None,
             home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Change priority (and severity) with a reason; kept as evidence for learning."""
    response = _open(home, config, with_kb=True)
    incident = _run(response.service.set_priority, incident_id, value.upper(), _actor(), reason,
                    severity=severity)
    typer.echo(one_line(incident))


@app.command("assign")
def assign(incident_id: IdArg, role: Annotated[str, typer.Argument(help="commander, "
                                                                      "communications, "
                                                                      "operations, scribe.")],
           user: Annotated[str, typer.Argument(help="Slack user id or name.")],
           reason: ReasonOpt = None, home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Give a role to someone (hand over commander)."""
    response = _open(home, config)
    typer.echo(one_line(_run(response.service.assign, incident_id, role, user, _actor(),
                             reason=reason)))


@app.command("open")
def declare(title: Annotated[str, typer.Argument(help="What is broken.")],
            priority_: Annotated[str, typer.Option("--priority", "-p")] = "P2",
            service: Annotated[str | None, typer.Option("--service")] = None,
            reason: ReasonOpt = None, home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Declare an incident by hand."""
    response = _open(home, config)
    typer.echo(one_line(_run(response.service.open, title, priority_.upper(), _actor(),
                             service=service, reason=reason)))


@app.command("link")
def link(incident_id: IdArg, signal_id: Annotated[str, typer.Argument()],
         home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Attach a stored signal (a user report) to an incident."""
    response = _open(home, config)
    added = _run(response.service.link_signal, incident_id, signal_id, actor=_actor())
    typer.echo(f"{signal_id} {'linked to' if added else 'was already linked to'} {incident_id}")
