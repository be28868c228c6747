import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import apache_beam as beam
from apache_beam.coders import VarIntCoder
from apache_beam.transforms import userstate
from apache_beam.transforms.userstate import BagStateSpec, TimerSpec, on_timer

import transforms  # noqa: F401  (installs dofn_specs)
from pipelines.batch import BatchConfig, build
from transforms.runtime import dofn_specs

REPO = Path(__file__).resolve().parents[3]
BAG = BagStateSpec("seen", VarIntCoder())
TIMER = TimerSpec("flush", userstate.TimeDomain.WATERMARK)


class Stateful(beam.DoFn):
    def process(self, element, seen=beam.DoFn.StateParam(BAG), flush=beam.DoFn.TimerParam(TIMER)):
        yield element

    @on_timer(TIMER)
    def on_flush(self, seen=beam.DoFn.StateParam(BAG)):
        return []


class Stateless(beam.DoFn):
    def process(self, element):
        yield element


class Handed(beam.DoFn):
    """Its ``process`` comes from a property: the class alone does not decide the answer."""

    def __init__(self, inner: beam.DoFn) -> None:
        self.inner = inner

    @property
    def process(self):
        return self.inner.process


def ask_beam(dofn):
    return dofn_specs._ask_beam(dofn)


def test_beam_calls_go_through_the_cache():
    assert userstate.get_dofn_specs is dofn_specs.dofn_specs


def test_same_answer_as_beam_for_every_dofn_of_the_pipeline(tmp_path):
    p = beam.Pipeline()
    raw = p | beam.Create([])
    build(raw, BatchConfig(), str(tmp_path), "stem", datetime(2026, 11, 21, tzinfo=timezone.utc))
    fns = []

    class Collect(beam.pipeline.PipelineVisitor):
        def visit_transform(self, node):
            if isinstance(node.transform, beam.ParDo):
                fns.append(node.transform.fn)

    p.visit(Collect())
    assert len(fns) > 40
    for fn in fns * 2:  # the second round answers from the cache
        assert dofn_specs.dofn_specs(fn) == ask_beam(fn)


def test_state_and_timers_are_found_and_copies_are_handed_out():
    first = dofn_specs.dofn_specs(Stateful())
    assert first == ({BAG}, {TIMER}) == ask_beam(Stateful())
    first[0].clear()
    assert dofn_specs.dofn_specs(Stateful()) == ({BAG}, {TIMER})
    assert dofn_specs.dofn_specs(Stateless()) == (set(), set())


def test_a_bound_method_in_the_instance_is_always_asked():
    wrapped = beam.transforms.core.CallableWrapperDoFn(Stateful().process)
    assert dofn_specs._key(wrapped) is None
    assert dofn_specs.dofn_specs(wrapped) == ask_beam(wrapped) == ({BAG}, {TIMER})
    plain = beam.transforms.core.CallableWrapperDoFn(lambda x: [x])
    assert dofn_specs._key(plain) is not None
    assert dofn_specs.dofn_specs(plain) == ask_beam(plain) == (set(), set())


def test_computed_attributes_are_always_asked():
    for inner in (Stateless(), Stateful(), Stateless()):
        handed = Handed(inner)
        assert dofn_specs._key(handed) is None
        assert dofn_specs.dofn_specs(handed) == ask_beam(handed)


def test_an_instance_shadowing_a_method_is_kept_apart_from_its_class():
    shadowed = Stateful()
    shadowed.process = len  # not a bound method: Beam skips it, so only on_flush counts
    assert dofn_specs.dofn_specs(Stateful()) == ({BAG}, {TIMER})
    assert dofn_specs.dofn_specs(shadowed) == ask_beam(shadowed) == ({BAG}, set())


def test_installed_when_a_beam_free_module_came_first():
    """The CLI imports transforms.runtime.allocator before Beam; the pipeline must still get it."""
    code = ("import transforms.runtime.allocator, pipelines.batch; "
            "from apache_beam.transforms import userstate; "
            "print(userstate.get_dofn_specs.__module__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.stdout.strip() == "transforms.runtime.dofn_specs", done.stderr[-2000:]
