"""The engine runs without Streamlit: importing it loads no UI framework."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT


def test_analytics_does_not_import_streamlit() -> None:
    code = (
        "import sys, pkgutil, importlib, analytics\n"
        "names = [m.name for m in pkgutil.walk_packages(analytics.__path__, 'analytics.')\n"
        "         if not m.name.startswith('analytics.ui') and m.name != 'analytics.__main__']\n"
        "for name in names: importlib.import_module(name)\n"
        "print(len(names), 'streamlit' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.split()
    assert int(count) >= 40 and loaded == "False"


def test_reference_council_sizes_follow_the_law() -> None:
    from analytics.rules import seats
    from analytics.store.reference import communes_frame

    communes = communes_frame()
    assert len(communes) == 39
    assert all(communes["council_size"] == communes["population_2025"].map(seats.council_size))
    # Mulhouse, 104,924 inhabitants in 2025: 100,000 to 149,999 -> 55 councillors
    assert communes.set_index("insee").loc["68224", "council_size"] == 55


def test_no_import_cycle_in_the_engine() -> None:
    import grimp

    graph = grimp.build_graph("analytics")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                cycles.append((module, imported))
    assert cycles == []


def test_the_layers_hold() -> None:
    import grimp

    graph = grimp.build_graph("analytics")
    layers = ("analytics.ui", "analytics.screens", "analytics.report",
              {"analytics.outputs", "analytics.ingest", "analytics.access"},
              "analytics.rules", "analytics.store", "analytics.wording", "analytics.settings")
    assert graph.find_illegal_dependencies_for_layers(layers=layers) == set()
