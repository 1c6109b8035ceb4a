"""The ``baimo`` command: a Hydra app that runs one simulation into its output directory.

    baimo                              # the calibrated baseline
    baimo funds.term_years=10 seed=7   # any field can be overridden
    baimo +experiment=NAME             # a named experiment (see experiments/)

A bad value stops the run with one line naming the field and the allowed
range (exit code 2), before anything is simulated.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.config import ConfigError
from sim.configuration import CONF_DIR, register_configs, to_config

EXIT_BAD_INPUT = 2


def fail(message: str) -> None:
    """Print one line to stderr and exit with the bad-input code."""
    print(f"baimo: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def headline(summary: dict) -> list[str]:
    """A few lines a person reads at a glance after a run."""
    s = summary
    return [
        f"releases: {s['releases']['total']} "
        f"(by month 4: {s['releases']['by_month_4']:.0f}, by month 13: {s['releases']['by_month_13']:.0f})",
        f"startups founded {s['startups']['founded']}, surviving {s['startups']['survivors']}, "
        f"independent builders peak {s['startups']['independent_builders_peak']} -> "
        f"{s['startups']['independent_builders_final']}",
        f"exits: IPO {s['exits']['ipo']}, acquired {s['exits']['acquired']}, "
        f"secondary {s['exits']['secondary_sale']}, bankrupt {s['exits']['bankrupt']}",
        f"giants' share of GPU purchases {s['compute']['giant_share_of_purchases']:.0%}, "
        f"GPU price peak in year 1 x{s['compute']['gpu_price_peak_first_year_ratio']:.2f}",
        f"enterprise revenue HHI {s['concentration']['hhi_final']:.2f}, "
        f"giants' share {s['concentration']['giant_revenue_share_final']:.0%}",
    ]


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")
def app(cfg: DictConfig) -> None:
    """Validate, simulate, write outputs and plots, print a headline."""
    try:
        config = to_config(cfg)
    except ConfigError as exc:
        fail(str(exc))
        return
    from sim.run import run

    run_dir = Path(HydraConfig.get().runtime.output_dir)
    tables = run(config, run_dir)
    print(f"baimo: wrote {run_dir}")
    for line in headline(tables.summary):
        print(f"  {line}")


def main() -> None:
    """Console entry point."""
    register_configs()
    app()


if __name__ == "__main__":
    main()
