"""How rain and fog attenuate a 77 GHz radar: far less than they do a 905 nm lidar.

- Rain: ITU-R P.838-3, "Specific attenuation model for rain for use in prediction methods"
  (2005): gamma_R = k R^alpha dB/km for a rain rate R in mm/h, with k and alpha from the
  recommendation's curve fits in frequency (horizontal polarisation, Tables 1 and 3). At 77 GHz
  k = 1.13 and alpha = 0.718 (evaluated below; the recommendation lists 1.1704 and 0.7115 at
  80 GHz): 10 mm/h costs about 5.9 dB/km, 50 mm/h 18.8 dB/km.
- Fog: ITU-R P.840-8, "Attenuation due to clouds and fog": gamma_F = K_l(f, T) M dB/km, with
  K_l from the double-Debye model of water's permittivity and M the liquid water content
  (g/m^3). M comes from the visibility V (km) by Eldridge's fit for fog, V = 0.024 M^-0.65
  (Eldridge, J. Appl. Meteor. 1966; an approximation: it varies with the fog's drop sizes).
  Visibility is the meteorological optical range of the scenario's fog, ln(20) / alpha.
  K_l(77 GHz, 10 C) = 3.1 (dB/km)/(g/m^3). Dense fog of 100 m visibility (M = 0.11 g/m^3) costs
  about 0.35 dB/km: nothing a radar notices at 200 m, where the same fog takes a lidar's return
  down by exp(-2 alpha r) = exp(-12) (52 dB).

The two-way loss over range r is 2 r (gamma_R + gamma_F) / 1000 dB.
"""

from __future__ import annotations

import math

import numpy as np

FREQUENCY_GHZ = 77.0
FOG_TEMPERATURE_K = 283.15  # 10 degrees C

# ITU-R P.838-3, Table 1 (k_H): (a_j, b_j, c_j), m_k, c_k
_K_H = (
    (-5.33980, -0.10008, 1.13098),
    (-0.35351, 1.26970, 0.45400),
    (-0.23789, 0.86036, 0.15354),
    (-0.94158, 0.64552, 0.16817),
)
_K_M, _K_C = -0.18961, 0.71147
# ITU-R P.838-3, Table 3 (alpha_H)
_ALPHA_H = (
    (-0.14318, 1.82442, -0.55187),
    (0.29591, 0.77564, 0.19822),
    (0.32177, 0.63773, 0.13164),
    (-5.37610, -0.96230, 1.47828),
    (16.1721, -3.29980, 3.43990),
)
_ALPHA_M, _ALPHA_C = 0.67849, -1.95537


def rain_coefficients(frequency_ghz: float = FREQUENCY_GHZ) -> tuple[float, float]:
    """ITU-R P.838-3 (k, alpha) for horizontal polarisation at ``frequency_ghz``."""
    lf = math.log10(frequency_ghz)
    log_k = sum(a * math.exp(-(((lf - b) / c) ** 2)) for a, b, c in _K_H) + _K_M * lf + _K_C
    alpha = sum(a * math.exp(-(((lf - b) / c) ** 2)) for a, b, c in _ALPHA_H)
    return 10.0**log_k, alpha + _ALPHA_M * lf + _ALPHA_C


def rain_db_per_km(rain_mmh: float, frequency_ghz: float = FREQUENCY_GHZ) -> float:
    """Specific attenuation of rain (dB/km), ITU-R P.838-3."""
    if rain_mmh <= 0:
        return 0.0
    k, alpha = rain_coefficients(frequency_ghz)
    return float(k * rain_mmh**alpha)


def fog_kl(frequency_ghz: float = FREQUENCY_GHZ, temperature_k: float = FOG_TEMPERATURE_K) -> float:
    """ITU-R P.840 specific attenuation coefficient K_l, (dB/km)/(g/m^3)."""
    theta = 300.0 / temperature_k
    eps0 = 77.66 + 103.3 * (theta - 1.0)
    eps1 = 0.0671 * eps0
    eps2 = 3.52
    fp = 20.20 - 146.0 * (theta - 1.0) + 316.0 * (theta - 1.0) ** 2
    fs = 39.8 * fp
    f = frequency_ghz
    eps_im = f * (eps0 - eps1) / (fp * (1 + (f / fp) ** 2)) + f * (eps1 - eps2) / (
        fs * (1 + (f / fs) ** 2)
    )
    eps_re = (eps0 - eps1) / (1 + (f / fp) ** 2) + (eps1 - eps2) / (1 + (f / fs) ** 2) + eps2
    eta = (2.0 + eps_re) / eps_im
    return 0.819 * f / (eps_im * (1.0 + eta**2))


def fog_db_per_km(extinction: float, frequency_ghz: float = FREQUENCY_GHZ) -> float:
    """Specific attenuation of fog (dB/km) of optical extinction ``extinction`` (1/m)."""
    if extinction <= 0:
        return 0.0
    visibility_km = math.log(20.0) / extinction / 1000.0
    water = (0.024 / visibility_km) ** (1.0 / 0.65)  # g/m^3, Eldridge (1966)
    return fog_kl(frequency_ghz) * water


def two_way_loss_db(range_m: np.ndarray, fog: float, rain_mmh: float) -> np.ndarray:
    """The weather's two-way loss (dB) over each range."""
    gamma = rain_db_per_km(rain_mmh) + fog_db_per_km(fog)
    return np.asarray(range_m, np.float64) * (2.0 * gamma / 1000.0)
