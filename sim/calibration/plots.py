"""The calibration's plot: the loss of every trial, the best so far, and the defaults."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.plots import STYLE  # noqa: E402


def plot_loss_by_trial(table: pd.DataFrame) -> Figure:
    """Loss per finished trial (dots), best so far (step line), the defaults (dashed line)."""
    done = table[table["state"] == "COMPLETE"].sort_values("trial")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.scatter(done["trial"], done["loss"], s=22, label="trial", zorder=3)
    ax.step(done["trial"], done["loss"].cummin(), where="post", lw=2, label="best so far")
    base = done[done["is_default"]]
    if not base.empty:
        ax.axhline(float(base["loss"].iloc[0]), ls="--", color="grey", label="defaults")
    ax.set_xlabel("trial")
    ax.set_ylabel("validity loss (lower is better)")
    ax.set_title("Calibration: validity loss by trial")
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
