"""The Beam runners copydesk runs on, by the names a user gives them, and their options.

``--runner`` takes what Beam takes (``FlinkRunner``, ``flink``, a runner's full class
name) and, for the runners Beam 2.62 has no short name for, ``FnApiRunner`` and
``DaskRunner``. ``pipeline_args`` adds copydesk's defaults for the chosen runner;
``check_runner`` turns a name that names no runner into one sentence instead of Beam's
traceback; ``register_runner_options`` makes every runner's flags known to the flag check.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Sequence

# Beam's local engine, the one its DirectRunner hands a batch pipeline to. By its full name:
# Beam 2.62 has no short name for it, and the DirectRunner would first try its Prism
# runner, which it downloads at run time.
LOCAL_RUNNER = "apache_beam.runners.portability.fn_api_runner.FnApiRunner"
DASK_RUNNER = "apache_beam.runners.dask.dask_runner.DaskRunner"
FLINK_RUNNER = "apache_beam.runners.portability.flink_runner.FlinkRunner"

# Runners Beam does not list by a short name.
SHORT_NAMES = {"fnapirunner": LOCAL_RUNNER, "daskrunner": DASK_RUNNER}
# The runners an error names; Beam knows a few more (its test runners).
NAMED = ("FnApiRunner", "DirectRunner", "FlinkRunner", "SparkRunner", "DataflowRunner",
         "PortableRunner", "PrismRunner", "DaskRunner")
# Beam's extras that bring what a runner imports.
EXTRAS = {DASK_RUNNER: "dask", "apache_beam.runners.interactive.interactive_runner.InteractiveRunner":
          "interactive"}
# Modules that define a runner's options outside Beam's pipeline_options module (Flink's,
# Spark's, Dataflow's and the portable runner's are there); Beam registers an options
# class only once its module is imported. Dask's imports dask itself: without it the
# runner cannot run, and ``check_runner`` says so before any flag is checked.
OPTION_MODULES = ("apache_beam.runners.dask.dask_runner",)


class RunnerError(ValueError):
    """A runner that cannot run here; the message is one sentence saying what to do."""


def register_runner_options() -> None:
    for module in OPTION_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            continue


def known_runners() -> dict[str, str]:
    """Short name (lower case) -> full class name, as Beam resolves ``--runner``."""
    from apache_beam.options.pipeline_options import StandardOptions

    names = {path.rsplit(".", 1)[-1].lower(): path for path in StandardOptions.ALL_KNOWN_RUNNERS}
    return {**names, **SHORT_NAMES}


def runner_path(name: str) -> str:
    """The full class name of ``--runner NAME``: Beam's rule (the name, or the name plus
    'Runner', case-insensitive) or, with a dot, the name itself."""
    if "." in name:
        return name
    known = known_runners()
    path = known.get(name.lower()) or known.get(name.lower() + "runner")
    if path is None:
        close = difflib.get_close_matches(name, NAMED, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise RunnerError(f"unknown runner {name!r}{hint}; choose one of {', '.join(NAMED)} "
                          "(or a runner's full class name)")
    return path


def check_runner(name: str) -> str:
    """The runner's full class name, once its class loads and starts here."""
    path = runner_path(name)
    module, _, cls = path.rpartition(".")
    try:
        getattr(importlib.import_module(module), cls)()
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            raise RunnerError(f"runner {name!r} cannot be loaded ({error}); check the name") from None
        raise _missing_package(name, path, error) from None
    except ImportError as error:
        raise _missing_package(name, path, error) from None
    except AttributeError as error:
        raise RunnerError(f"runner {name!r} cannot be loaded ({error}); check the name") from None
    return path


def _missing_package(name: str, path: str, error: ImportError) -> RunnerError:
    import apache_beam

    extra = EXTRAS.get(path, "EXTRA")
    return RunnerError(f"runner {name!r} needs a package that is not installed ({error}); "
                       f"pip install 'apache-beam[{extra}]=={apache_beam.__version__}'")


def pipeline_args(args: Sequence[str]) -> list[str]:
    """``args`` with copydesk's defaults: the local engine unless a runner is chosen, a
    short name Beam does not know replaced by the full one, and Flink's set-up
    (``pipelines.flink``)."""
    from apache_beam.options.pipeline_options import PipelineOptions

    given = PipelineOptions(list(args)).get_all_options(drop_default=True)
    runner = given.get("runner") or LOCAL_RUNNER
    path = runner_path(runner)
    defaults = []
    if not given.get("default_sdk_harness_log_level"):
        # Worker processes otherwise log every gRPC channel they open at INFO. WARN, not
        # WARNING: a Java runner (Flink's) reads the option too.
        defaults.append("--default_sdk_harness_log_level=WARN")
    if path == FLINK_RUNNER:
        from pipelines.flink import flink_defaults

        defaults += flink_defaults(given)
    if path in SHORT_NAMES.values():
        # By the full name Beam needs for it, after the given flags: the last one wins.
        return [*defaults, *args, f"--runner={path}"]
    return [*defaults, *args]
