"""The engine runs without Streamlit: importing it loads no UI framework."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_analytics_does_not_import_streamlit() -> None:
    code = (
        "import sys, pkgutil, importlib, analytics\n"
        "names = [m.name for m in pkgutil.iter_modules(analytics.__path__) if m.name not in ('ui', '__main__')]\n"
        "for name in names: importlib.import_module('analytics.' + name)\n"
        "print(len(names), 'streamlit' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.split()
    assert int(count) >= 10 and loaded == "False"


def test_reference_council_sizes_follow_the_law() -> None:
    from analytics.rules import seats
    from analytics.store.reference import communes_frame

    communes = communes_frame()
    assert len(communes) == 39
    assert all(communes["council_size"] == communes["population_2025"].map(seats.council_size))
    # Mulhouse, 104,924 inhabitants in 2025: 100,000 to 149,999 -> 55 councillors
    assert communes.set_index("insee").loc["68224", "council_size"] == 55
