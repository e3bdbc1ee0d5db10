"""Property test (hypothesis): random lead / advance / win / lose / reopen / touch / undo steps against a model.

After every step: each deal's stored stage and status equal the model's; its stage events chain (each
starts where the previous ended) and end at its stage; a refused step changed nothing; a closed deal
never moved without --force; undo puts back exactly the state before the command it reverts."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from conftest import Cli

STAGES = ["lead", "qualified", "proposal", "negotiation", "won", "lost"]


class Deals(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="salesflow-sm-"))
        self.cli = Cli(self.dir)
        self.cli.ok("init")
        self.model: dict[int, tuple[str, str]] = {}   # deal -> (stage, status)
        self.history: list[dict[int, tuple[str, str]]] = []  # model before each undoable command
        self.phones = 0

    def teardown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def stored(self) -> dict[int, tuple[str, str]]:
        return {i: (s, t) for i, s, t in self.cli.query("SELECT id, stage, status FROM deal ORDER BY id")}

    def step(self, *args: str) -> bool:
        """Run a command; on refusal nothing may change. Returns whether it went through."""
        before = self.cli.dump()
        run = self.cli(*args)
        assert "Traceback" not in run.err
        if run.code != 0:
            assert run.code in (1, 2), run.err
            assert self.cli.dump() == before, f"refused {args} but changed the database"
            return False
        return True

    def deal(self, data) -> int:
        return data.draw(st.sampled_from(sorted(self.model)))

    @rule()
    def add_lead(self):
        self.phones += 1
        snapshot = dict(self.model)
        if self.step("lead", "add", f"客户{self.phones}", "--contact", "张三", "--source", "web",
                     "--phone", f"139{self.phones:08d}"):
            self.history.append(snapshot)
            self.model[max(self.stored())] = ("lead", "open")

    @precondition(lambda self: self.model)
    @rule(data=st.data(), to=st.sampled_from(STAGES[:4]), force=st.booleans())
    def advance(self, data, to, force):
        deal = self.deal(data)
        stage, status = self.model[deal]
        snapshot = dict(self.model)
        extra = ["--force", "--reason", "test"] if force else []
        if STAGES.index(to) < STAGES.index(stage) and not force:
            extra = ["--reason", "back"]
        went = self.step("advance", str(deal), to, *extra)
        if status != "open" and not force:
            assert not went, "a closed deal moved without --force"
        if went:
            self.history.append(snapshot)
            self.model[deal] = (to, "open")

    @precondition(lambda self: self.model)
    @rule(data=st.data(), force=st.booleans())
    def win(self, data, force):
        deal = self.deal(data)
        snapshot = dict(self.model)
        went = self.step("win", str(deal), *(["--force", "--reason", "test"] if force else []))
        if self.model[deal][1] != "open" and not force:
            assert not went
        if went:
            self.history.append(snapshot)
            self.model[deal] = ("won", "won")

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def lose(self, data):
        deal = self.deal(data)
        snapshot = dict(self.model)
        if self.step("lose", str(deal), "--reason", "price"):
            assert snapshot[deal][1] == "open", "lose moved a closed deal without --force"
            self.history.append(snapshot)
            self.model[deal] = ("lost", "lost")

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def reopen(self, data):
        deal = self.deal(data)
        snapshot = dict(self.model)
        if self.step("reopen", str(deal), "--reason", "came back"):
            assert snapshot[deal][1] != "open"
            self.history.append(snapshot)
            self.model[deal] = (self.stored()[deal][0], "open")

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def touch(self, data):
        deal = self.deal(data)
        snapshot = dict(self.model)
        if self.step("touch", str(deal), "--kind", "call", "--note", "hi"):
            self.history.append(snapshot)

    @rule()
    def undo(self):
        if self.step("undo"):
            self.model = self.history.pop()

    @invariant()
    def stored_equals_model(self):
        assert self.stored() == self.model

    @invariant()
    def events_replay_to_the_stage(self):
        conn = sqlite3.connect(self.cli.db)
        try:
            for deal, (stage, _) in self.model.items():
                events = conn.execute("SELECT from_stage, to_stage FROM stage_event WHERE deal_id = ? ORDER BY id",
                                      (deal,)).fetchall()
                assert events[0][0] is None
                for (_, previous), (start, _) in zip(events, events[1:]):
                    assert start == previous
                assert events[-1][1] == stage
        finally:
            conn.close()


Deals.TestCase.settings = settings(max_examples=12, stateful_step_count=12, deadline=None,
                                   suppress_health_check=[HealthCheck.too_slow])
TestDeals = Deals.TestCase
