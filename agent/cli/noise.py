"""`triage maintenance|silence add|list|expire`: runtime maintenance windows and silences."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from agent.cli.options import ConfigOpt, HomeOpt, fail, resolve_config, resolve_settings
from agent.kernel.durations import parse_duration
from agent.kernel.noise import NoiseAdmin, Suppression

maintenance_app = typer.Typer(help="Runtime maintenance windows.", no_args_is_help=True)
silence_app = typer.Typer(help="Alertmanager-style silences.", no_args_is_help=True)

MatchOpt = Annotated[list[str], typer.Option(
    "--match", "-m", help='Alertmanager matcher, repeatable: service="orders-db", env=~"prod.*"')]
StartOpt = Annotated[str, typer.Option("--start", help="RFC 3339 time or 'now'.")]
EndOpt = Annotated[str | None, typer.Option("--end", help="RFC 3339 end (exclusive).")]
DurationOpt = Annotated[str | None, typer.Option("--duration", "-d", help="e.g. 2h (instead "
                                                                            "of --end).")]
ByOpt = Annotated[str, typer.Option("--by", help="Who creates it.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON Lines output.")]


def _now() -> datetime:
    """The operator's current time (CLI boundary only; the gate never reads the clock)."""
    return datetime.now(UTC)


def _time(text: str, name: str) -> datetime:
    if text == "now":
        return _now()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"{name}: not an RFC 3339 time: {text!r}") from None
    if value.tzinfo is None:
        raise fail(f"{name}: needs a timezone (e.g. 2026-12-01T01:00:00Z)")
    return value


def _span(start: str, end: str | None, duration: str | None) -> tuple[datetime, datetime]:
    begin = _time(start, "--start")
    if (end is None) == (duration is None):
        raise fail("give exactly one of --end or --duration")
    if end is not None:
        return begin, _time(end, "--end")
    try:
        return begin, begin + parse_duration(duration or "")
    except ValueError as exc:
        raise fail(f"--duration: {exc}") from None


def _gate(home: HomeOpt, config: ConfigOpt) -> NoiseAdmin:
    settings = resolve_settings(home=home, config=config)
    from agent.wiring import noise_admin

    return noise_admin(settings, resolve_config(settings))


def _show(items: list[Suppression], as_json: bool) -> None:
    for s in items:
        end = min(s.end, s.expired_at) if s.expired_at else s.end
        if as_json:
            typer.echo(json.dumps({"id": s.id, "kind": s.kind, "matchers": s.matchers,
                                   "start": s.start.isoformat(), "end": end.isoformat(),
                                   "expired": s.expired_at is not None, "reason": s.reason,
                                   "created_by": s.created_by}))
        else:
            state = " (expired)" if s.expired_at else ""
            typer.echo(f"{s.id}  {s.start:%Y-%m-%dT%H:%M:%SZ} → {end:%Y-%m-%dT%H:%M:%SZ}{state}  "
                       f"{', '.join(s.matchers)}  {s.reason}  by {s.created_by or '-'}")
    if not items and not as_json:
        typer.echo("none")


def _add(kind: str, match: list[str], start: str, end: str | None, duration: str | None,
         reason: str, by: str, home: HomeOpt, config: ConfigOpt) -> None:
    begin, finish = _span(start, end, duration)
    gate = _gate(home, config)
    try:
        add = gate.add_window if kind == "maintenance" else gate.add_silence
        item = add(match, begin, finish, reason, by)
    except ValueError as exc:
        raise fail(str(exc)) from None
    typer.echo(item.id)


def _expire(sid: str, home: HomeOpt, config: ConfigOpt) -> None:
    if not _gate(home, config).expire(sid, _now()):
        raise fail(f"unknown id {sid!r}", code=1)
    typer.echo(f"expired {sid}")


@maintenance_app.command("add")
def maintenance_add(match: MatchOpt, start: StartOpt = "now", end: EndOpt = None,
                    duration: DurationOpt = None,
                    reason: Annotated[str, typer.Option("--reason")] = "", by: ByOpt = "",
                    home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Declare a maintenance window: matching signals inside [start, end) are suppressed."""
    _add("maintenance", match, start, end, duration, reason, by, home, config)


@maintenance_app.command("list")
def maintenance_list(as_json: JsonOpt = False, home: HomeOpt = None,
                     config: ConfigOpt = None) -> None:
    """List runtime maintenance windows (config windows live in the YAML)."""
    _show(_gate(home, config).list_windows(), as_json)


@maintenance_app.command("expire")
def maintenance_expire(window_id: str, home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """End a runtime maintenance window now."""
    _expire(window_id, home, config)


@silence_app.command("add")
def silence_add(match: MatchOpt, start: StartOpt = "now", end: EndOpt = None,
                duration: DurationOpt = None,
                comment: Annotated[str, typer.Option("--comment")] = "", by: ByOpt = "",
                home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Add a silence: matching signals inside [start, end) are suppressed (and recorded)."""
    _add("silence", match, start, end, duration, comment, by, home, config)


@silence_app.command("list")
def silence_list(as_json: JsonOpt = False, home: HomeOpt = None,
                 config: ConfigOpt = None) -> None:
    """List silences, expired ones included."""
    _show(_gate(home, config).list_silences(), as_json)


@silence_app.command("expire")
def silence_expire(silence_id: str, home: HomeOpt = None, config: ConfigOpt = None) -> None:
    """Expire a silence now."""
    _expire(silence_id, home, config)
