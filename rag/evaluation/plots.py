"""The plots of the HTML evaluation report, drawn with matplotlib (the ``[eval]`` extra).

Each plot reads only the JSON report document (``rag.evaluation.reports.report_data``)
and becomes PNG bytes from matplotlib's Agg canvas. matplotlib is imported when a plot
is drawn, never at import time, so the runner and the Markdown report work without it.

What it deliberately does not do: lay out the page or embed the images
(``rag.evaluation.render`` does), or compute any number it shows.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["INSTALL_HINT", "draw_plots"]

INSTALL_HINT = "Plots need matplotlib: pip install 'rag[eval]'"


def draw_plots(data: Mapping[str, Any]) -> list[tuple[str, bytes]]:
    """``(caption, PNG bytes)`` for each plot the report ``data`` has numbers for, in page order.

    Raises ImportError whose message is :data:`INSTALL_HINT` when matplotlib is not
    installed (it is in the ``[eval]`` extra, not a core dependency).
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    drawn = ((caption, _draw(draw, data)) for caption, draw in _PLOTS)
    return [(caption, png) for caption, png in drawn if png is not None]


def _draw(draw: Callable[[Any, Mapping[str, Any]], bool], data: Mapping[str, Any]) -> bytes | None:
    # The object API with the Agg canvas: no pyplot global state, no GUI backend.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if not draw(ax, data):
        return None
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _plot_types(ax: Any, data: Mapping[str, Any]) -> bool:
    by_type = data["summary"]["by_type"]
    names = [t for t in by_type if by_type[t]["passed"]["value"] is not None]
    if not names:
        return False
    values = [100 * by_type[t]["passed"]["value"] for t in names]
    bars = ax.bar(names, values, color="#4c78a8")
    for bar, t in zip(bars, names, strict=True):
        p = by_type[t]["passed"]
        ax.annotate(
            f"{p['count']}/{p['n']}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_ylim(0, 105)
    ax.set_ylabel("passed (%)")
    ax.tick_params(axis="x", labelsize=8)
    return True


def _plot_latency(ax: Any, data: Mapping[str, Any]) -> bool:
    timings = [q["timings"] for q in data["questions"] if q.get("timings")]
    if not timings:
        return False
    totals = [t["total_s"] for t in timings]
    firsts = [t["first_token_s"] for t in timings]
    top = max(max(totals), max(firsts), 1e-3)
    edges = [top * i / 20 for i in range(21)]  # shared bins: the two histograms compare bar by bar
    ax.hist(totals, bins=edges, alpha=0.6, label="total")
    ax.hist(firsts, bins=edges, alpha=0.6, label="first token")
    ax.set_xlabel("seconds")
    ax.set_ylabel("questions")
    ax.legend()
    return True


def _plot_recall(ax: Any, data: Mapping[str, Any]) -> bool:
    drawn = False
    for name, r in data["summary"]["retrieval"].items():
        curve = [v for v in r["curve"] if v is not None]
        if curve:
            ax.plot(range(1, len(curve) + 1), curve, marker="o", label=name)
            drawn = True
    if drawn:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("k (documents)")
        ax.set_ylabel("mean recall@k")
        ax.set_ylim(0, 1.05)
        ax.legend()
    return drawn


def _plot_risk_coverage(ax: Any, data: Mapping[str, Any]) -> bool:
    points = [
        p for p in (data["summary"].get("confidence") or {}).get("risk_coverage", []) if p["accuracy"] is not None
    ]
    if not points:
        return False
    ax.plot([p["coverage"] for p in points], [p["accuracy"] for p in points], marker=".", drawstyle="steps-post")
    ax.set_xlabel("coverage (share of questions answered)")
    ax.set_ylabel("accuracy of answered")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.05)
    return True


_PLOTS: tuple[tuple[str, Callable[[Any, Mapping[str, Any]], bool]], ...] = (
    ("Passed by question type", _plot_types),
    ("Latency distribution", _plot_latency),
    ("Risk-coverage: accuracy of answered questions vs share answered, by confidence threshold", _plot_risk_coverage),
    ("Retrieval recall@k", _plot_recall),
)
