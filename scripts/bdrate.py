"""Bjontegaard rate difference (VCEG-M33): how many more bits one encoder needs than another at equal quality.

Each encoder is a rate-quality curve given as points (rate, quality), e.g. (bytes, SSIM dB) at several
cq-levels; rates need only be proportional to the bitrate (same frames, same frame rate). log(rate) is
fitted, per curve, by a least-squares cubic in quality; both fits are averaged over the quality interval
the two curves share, and the difference of those averages is the log of the mean rate ratio.

    import bdrate
    bdrate.bd_rate(anchor=[(1000, 30.1), ...], test=[(1100, 30.0), ...])  # -> percent, or None

Standard library only, so every script here can import it (scripts/rate-quality-report,
scripts/excamera-figures).
"""

import math

DEGREE = 3


def _least_squares(xs, ys, degree):
    """Coefficients c[0..degree] of the polynomial minimising sum (p(x) - y)^2, by Gram-Schmidt QR.

    Orthogonalising the columns 1, x, x^2, x^3 one against the other keeps the fit accurate where the normal
    equations would square the Vandermonde matrix's condition number. Returns None when the points do not
    determine the polynomial (fewer than degree + 1 distinct x values).
    """
    columns = [[x ** k for x in xs] for k in range(degree + 1)]
    q, r = [], [[0.0] * (degree + 1) for _ in range(degree + 1)]
    for k, column in enumerate(columns):
        v = list(column)
        for i, qi in enumerate(q):
            r[i][k] = sum(a * b for a, b in zip(qi, column))
            v = [a - r[i][k] * b for a, b in zip(v, qi)]
        norm = math.sqrt(sum(a * a for a in v))
        scale = math.sqrt(sum(a * a for a in column))
        if norm <= 1e-9 * max(scale, 1.0):
            return None
        r[k][k] = norm
        q.append([a / norm for a in v])
    # R c = Q^T y, back substitution.
    qty = [sum(a * b for a, b in zip(qi, ys)) for qi in q]
    c = [0.0] * (degree + 1)
    for k in range(degree, -1, -1):
        c[k] = (qty[k] - sum(r[k][j] * c[j] for j in range(k + 1, degree + 1))) / r[k][k]
    return c


def _mean_on_unit_interval(c):
    """The mean of sum c[k] x^k over [-1, 1]: odd powers vanish, x^k averages 1 / (k + 1) for even k."""
    return sum(ck / (k + 1) for k, ck in enumerate(c) if k % 2 == 0)


def bd_rate(anchor, test):
    """Mean rate difference of `test` against `anchor` at equal quality, in percent (+10 means 10 % more bits).

    `anchor` and `test` are sequences of (rate, quality) with rate > 0, at least four points each. Returns
    None when the curves share no quality interval or a cubic cannot be fitted (too few distinct qualities).
    """
    curves = [[(float(r), float(q)) for r, q in curve] for curve in (anchor, test)]
    for curve in curves:
        if len(curve) < DEGREE + 1:
            return None
        if any(not r > 0 or not math.isfinite(r) or not math.isfinite(q) for r, q in curve):
            raise ValueError("rates must be positive and qualities finite: {}".format(curve))
    shared = overlap(*curves)
    if shared is None:
        return None
    lo, hi = shared
    # Quality mapped so that the shared interval is [-1, 1]: well-conditioned fits, and the mean over the
    # interval is the mean over [-1, 1] of the mapped polynomial.
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    means = []
    for curve in curves:
        c = _least_squares([(q - mid) / half for _, q in curve], [math.log(r) for r, _ in curve], DEGREE)
        if c is None:
            return None
        means.append(_mean_on_unit_interval(c))
    return (math.exp(means[1] - means[0]) - 1) * 100


def overlap(anchor, test):
    """The quality interval both curves cover, as (low, high), or None."""
    lo = max(min(q for _, q in anchor), min(q for _, q in test))
    hi = min(max(q for _, q in anchor), max(q for _, q in test))
    return (lo, hi) if hi > lo else None
