"""``fieldbench usage``: the same figures as core.usage, as text and as JSON."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest

from core.cli import main
from core.store import Store
from core.store.runs import RunRecord


def _seed(store: Store, when: datetime, pages: int, source: str = "cli", status: str = "ok") -> None:
    store.runs.add(
        RunRecord(
            id=str(uuid.uuid4()),
            workflow_id="wf",
            workflow_name="Invoices",
            document_id=uuid.uuid4().hex,
            source=source,  # type: ignore[arg-type]
            engine="local",
            pages=pages,
            seconds=0.5,
            status=status,  # type: ignore[arg-type]
            created_at=when,
        )
    )


@pytest.fixture
def seeded() -> None:
    store = Store.open()
    _seed(store, datetime(2026, 10, 30, tzinfo=timezone.utc), 5, "app")
    _seed(store, datetime(2026, 11, 2, tzinfo=timezone.utc), 2, "cli")
    _seed(store, datetime(2026, 11, 3, tzinfo=timezone.utc), 1, "notebook")
    _seed(store, datetime(2026, 11, 3, tzinfo=timezone.utc), 0, "cli", status="error")
    store.close()


def test_usage_json_since_a_date(seeded: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["usage", "--since", "2026-11-01", "--period", "day", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["documents"] == 2
    assert out["summary"]["pages"] == 3
    assert out["summary"]["errors"] == 1
    assert out["summary"]["credits"] == 3 * 80 + 2 * 120
    assert [(r["period"], r["pages"]) for r in out["rows"]] == [("2026-11-02", 2), ("2026-11-03", 1)]
    assert out["cost_model"] == {"credits_per_page": 80.0, "credits_per_document": 120.0}
    assert out["quota"]["level"] in {"ok", "warning", "exceeded"}


def test_usage_text_by_source_with_a_custom_cost_model(
    seeded: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIELDBENCH_CREDITS_PER_PAGE", "15")
    monkeypatch.setenv("FIELDBENCH_CREDITS_PER_DOCUMENT", "30")
    assert main(["usage", "--period", "month", "--by", "source"]) == 0
    out = capsys.readouterr().out
    assert "3 documents" in out and "8 pages" in out and "1 failed runs" in out
    assert f"{8 * 15 + 3 * 30} credits" in out
    assert "2026-10-01" in out and "2026-11-01" in out
    assert "notebook" in out
    assert "quota (" in out


def test_usage_rejects_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["usage", "--since", "yesterday"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_usage_until_before_since_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["usage", "--since", "2026-11-05", "--until", "2026-11-01"]) == 1
    assert "before --since" in capsys.readouterr().err


def test_period_and_split_choices_are_the_ones_core_usage_knows() -> None:
    # The command spells them out so that `fieldbench --help` need not import the store; they must not drift.
    from core.cli import build_parser
    from core.usage import GROUPS, PERIODS

    parser = build_parser()
    usage = next(a for a in parser._subparsers._group_actions if a.choices).choices["usage"]  # type: ignore[union-attr]
    choices = {a.dest: tuple(a.choices) for a in usage._actions if a.choices}
    assert choices == {"period": PERIODS, "by": GROUPS}
