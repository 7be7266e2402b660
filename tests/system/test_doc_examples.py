"""Every shell example of the documents, run as a reader pastes it (support/pasted.py):
a document's blocks in order in one shell, so that what one sets (``$PID``) the next
can use, each command required to succeed, and nothing left running at the end.
The README is read as it is in the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.examples import ROOT, Example, examples_of
from support.pasted import describe, missing, session

pytestmark = pytest.mark.once  # nothing here depends on the Python it runs under

DOCUMENTS = ("README.md", "docs/service.md", "docs/json.md", "docs/observing.md",
             "man/sig-counter.1")
OUTPUT_SHOWN = 4000  # characters: the end of what the session printed, where it failed
SESSION_DEADLINE = 50.0  # the longest page, observing.md, sleeps about 15 s of it


def _runnable(document: str) -> tuple[list[Example], list[str]]:
    """The blocks to run here, and why each of the others is not run here."""
    run, skipped = [], []
    for example in examples_of(document):
        if example.mark.not_run or example.mark.run_by:
            continue
        # It would set up again, and test again, the very venv this test runs in.
        assert "./dev.sh" not in example.text, (
            f"{example.where} runs ./dev.sh: mark it <!-- example: not run, REASON -->")
        if lacking := missing(example):
            skipped.append(f"{example.where} needs {', '.join(lacking)}")
        else:
            run.append(example)
    return run, skipped


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_example_of_the_document_runs_as_pasted(document: str, tmp_path: Path) -> None:
    """The document's unmarked blocks, pasted in order into one shell, each succeed,
    and whatever they start has ended when the last one has."""
    examples, skipped = _runnable(document)
    if not examples:
        pytest.skip(f"{document}: no example runs here ({'; '.join(skipped) or 'none'})")
    with session(examples, tmp_path) as pasted:
        outcome = pasted.run(SESSION_DEADLINE)
        failed = examples[len(outcome.finished)] if len(outcome.finished) < len(examples) else None
        assert outcome.status == 0 and failed is None, (
            f"{failed.where if failed else document} failed, status {outcome.status}:\n"
            f"{outcome.output[-OUTPUT_SHOWN:]}")
        assert outcome.finished == list(range(len(examples)))
        left = pasted.left_behind()
        assert left == [], f"{document}'s examples left running:\n" + "\n".join(describe(left))
    if skipped:
        pytest.skip(f"the rest ran; not run here: {'; '.join(skipped)}")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_block_left_out_says_why_or_which_test_runs_it(document: str) -> None:
    """A block marked not run gives its reason, and one marked as run elsewhere names
    a test file that reads this document."""
    for example in examples_of(document):
        if example.mark.run_by:
            runner = ROOT / example.mark.run_by
            assert runner.is_file(), f"{example.where}: no {example.mark.run_by}"
            assert Path(document).name in runner.read_text(), (example.where, runner)
        if example.mark.not_run:
            assert len(example.mark.not_run.split()) >= 3, f"{example.where}: say why"
