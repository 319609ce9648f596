"""Sample grids beyond the plain ones of ``python -m gan_lab.sample`` (style-based generators)."""

from gan_lab.sampling.stylegan_grids import style_mixing_grid, truncation_grid

__all__ = ["style_mixing_grid", "truncation_grid"]
