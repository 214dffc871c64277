#!/usr/bin/env python3
"""Margins and components of the embedded sample, computed without xmargin's code.

Written from the documentation only (docs/formats.md "Numerical conventions",
docs/margin_rules.md, the README's "What it computes"), with the standard library
alone: csv and json to read scenarios/default/, math.erfc for the normal CDF. It
covers the accounts (and groups) whose positions are all futures and European
options: American options would need Barone-Adesi–Whaley, which is not redone here.

    independent_margins.py [--sample DIR] [--ids ID,...]
        prints level,id,statistical,span,grid,named,stress,margin for each covered row
        (all of them without --ids), with 17 significant digits.
    independent_margins.py --check COMPONENTS_CSV [--sample DIR] [--tolerance 1e-9]
        compares every covered row with the engine's components.csv; exit 1 on a
        mismatch, naming the row and the column.

What it computes, per the documentation:
- Historical scenarios: L = 1000, h = 2, scenario j moves every underlying by
  P[t+h]/P[t], t = n - L - h + j, its vol by V[t+h] - V[t] (the .vol column).
- Values: a future is worth S e^{(r-q)T} undiscounted; a European option on spot is
  Black–Scholes with carry b = r - q; one on a future is Black-76 on F = S e^{(r-q)T}.
  T = calendar days / 365; in a scenario T' = max(T - h/252, 0) (time_decay).
- Vols: an instrument's own vol, else its underlying's surface at m = K/F,
  F = S e^{(r-q)T} with the undecayed T (linear in vol across moneyness, linear in
  total variance across expiries, flat beyond the ends). In a scenario the surface is
  read at the moved forward (sticky moneyness) and sigma' = max(sigma + dV, 0.01).
- ES at 99% over equal weights with the weighted tail rule of docs/formats.md.
- Stress (mpor 2): span's 16 scans per underlying (summed scan risks), the 8-step grid
  with its term-scaled vol shock and the covered extended move, the two named
  scenarios; stress = the largest kind; margin = max(statistical, stress) (the
  buffer is released). An isolated account sums its positions' stand-alone
  components, each from the unit long or short.
"""

import argparse
import csv
import json
import math
import os
import sys
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SAMPLE = os.path.join(HERE, "..", "..", "scenarios", "default")
COLUMNS = ["statistical", "span", "grid", "named", "stress", "margin"]


def iso(text):
    return date.fromisoformat(text)


def norm_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def black_scholes(is_call, spot, strike, years, rate, carry, vol):
    """Generalised Black–Scholes (Haug 1.1.6); intrinsic at T = 0."""
    if years <= 0.0:
        return max(spot - strike, 0.0) if is_call else max(strike - spot, 0.0)
    sd = vol * math.sqrt(years)
    d1 = (math.log(spot / strike) + (carry + 0.5 * vol * vol) * years) / sd
    d2 = d1 - sd
    growth = math.exp((carry - rate) * years)
    discount = math.exp(-rate * years)
    if is_call:
        return spot * growth * norm_cdf(d1) - strike * discount * norm_cdf(d2)
    return strike * discount * norm_cdf(-d2) - spot * growth * norm_cdf(-d1)


def piecewise(nodes, values, x):
    if x <= nodes[0]:
        return values[0]
    if x >= nodes[-1]:
        return values[-1]
    k = next(i for i in range(1, len(nodes)) if nodes[i] >= x)
    t = (x - nodes[k - 1]) / (nodes[k] - nodes[k - 1])
    return (1.0 - t) * values[k - 1] + t * values[k]


class Surface:
    def __init__(self, spec, valuation):
        self.times = [(iso(e) - valuation).days / 365.0 for e in spec["expiries"]]
        self.nodes = spec["moneyness"]
        self.vols = spec["vols"]
        assert spec.get("sticky", "moneyness") == "moneyness"

    def vol(self, moneyness, years):
        smile = [piecewise(self.nodes, row, moneyness) for row in self.vols]
        times = self.times
        if years <= times[0]:
            return smile[0]
        if years >= times[-1]:
            return smile[-1]
        e = next(i for i in range(1, len(times)) if times[i] >= years)
        if times[e] == years:
            return smile[e]
        t = (years - times[e - 1]) / (times[e] - times[e - 1])
        variance = (1 - t) * smile[e - 1] ** 2 * times[e - 1] + t * smile[e] ** 2 * times[e]
        return math.sqrt(variance / years)


class Sample:
    def __init__(self, folder):
        def rows(name):
            with open(os.path.join(folder, name), newline="") as f:
                return list(csv.DictReader(f))

        with open(os.path.join(folder, "market.json")) as f:
            market = json.load(f)
        with open(os.path.join(folder, "config.json")) as f:
            self.config = json.load(f)
        self.valuation = iso(market["valuation_date"])
        self.underlyings = {u["id"]: u for u in market["underlyings"]}
        self.surfaces = {
            u["id"]: Surface(u["vol_surface"], self.valuation)
            for u in market["underlyings"]
            if "vol_surface" in u
        }
        self.instruments = {r["instrument"]: r for r in rows("instruments.csv")}
        self.accounts = {r["account"]: r for r in rows("accounts.csv")}
        # Netted positions per account, in first-seen order.
        self.positions = {a: {} for a in self.accounts}
        for r in rows("positions.csv"):
            book = self.positions[r["account"]]
            book[r["instrument"]] = book.get(r["instrument"], 0.0) + float(r["quantity"])
        history = rows("history.csv")
        self.dates = [r["date"] for r in history]
        self.levels = {u: [float(r[u]) for r in history] for u in self.underlyings}
        self.vols = {u: [float(r[u + ".vol"]) for r in history] for u in self.underlyings}
        self._build_scenarios()
        self._pnl = {}

    def _build_scenarios(self):
        scenarios = self.config["scenarios"]
        hist = scenarios["historical"]
        lookback, h = hist["lookback_days"], hist["mpor_days"]
        n = len(self.dates)
        # (horizon, {u: price factor}, {u: vol shift or a function of days}, covered)
        self.historical = []
        for j in range(lookback):
            t = n - lookback - h + j
            self.historical.append(
                (
                    h,
                    {u: p[t + h] / p[t] for u, p in self.levels.items()},
                    {u: v[t + h] - v[t] for u, v in self.vols.items()},
                )
            )
        stress = scenarios["stress"]
        mpor = stress["mpor_days"]
        ids = list(self.underlyings)

        def params(kind, u):
            merged = dict(stress[kind])
            merged.update(stress[kind].get("underlyings", {}).get(u, {}))
            return merged

        self.span = []
        thirds = [0, 1, -1, 2, -2, 3, -3]
        for third in thirds:
            for vol in (+1, -1):
                self.span.append(
                    (
                        mpor,
                        {u: 1 + third / 3 * params("span", u)["price_scan"] for u in ids},
                        {u: vol * params("span", u)["vol_scan"] for u in ids},
                        {u: 1.0 for u in ids},
                    )
                )
        for sign in (+1, -1):
            self.span.append(
                (
                    mpor,
                    {
                        u: 1 + sign * params("span", u).get("extreme", 2) * params("span", u)[
                            "price_scan"]
                        for u in ids
                    },
                    {u: 0.0 for u in ids},
                    {u: params("span", u).get("covered", 0.35) for u in ids},
                )
            )
        assert len(self.span) == 16

        grid = stress["grid"]
        assert not grid.get("underlyings")
        steps, reach = grid["steps"], grid["range"]
        shock, power, min_days = grid["vol_shock"], grid.get("power", 0.3), grid.get("min_days", 7)

        def scaled(direction):
            return lambda days: direction * shock * (30.0 / max(days, min_days)) ** power

        self.grid = []
        for j in range(steps + 1):
            move = 1 + (2 * j - steps) / steps * reach
            for direction in (+1, 0, -1):
                self.grid.append(
                    (mpor, {u: move for u in ids}, {u: scaled(direction) for u in ids},
                     {u: 1.0 for u in ids}))
        for extended in grid.get("extended", []):
            for sign in (+1, -1):
                self.grid.append(
                    (mpor, {u: 1 + sign * extended["move"] for u in ids}, {u: 0.0 for u in ids},
                     {u: extended.get("covered", 1.0) for u in ids}))

        self.named = []
        for named in stress["named"]:
            if "history_dates" in named:
                d0, d1 = (self.dates.index(d) for d in named["history_dates"])
                self.named.append(
                    (mpor, {u: p[d1] / p[d0] for u, p in self.levels.items()},
                     {u: v[d1] - v[d0] for u, v in self.vols.items()}))
            else:
                shocks = named["shocks"]
                chosen = {u: shocks.get(u, shocks.get("*", {})) for u in ids}
                self.named.append(
                    (mpor, {u: 1 + chosen[u].get("price", 0.0) for u in ids},
                     {u: chosen[u].get("vol", 0.0) for u in ids}))

    def covered(self, instrument):
        r = self.instruments[instrument]
        return r["type"] == "future" or r["style"] == "european"

    def value(self, instrument, spot, vol_shift, horizon):
        """One unit's value at `spot` (None: today) with the vol moved by vol_shift."""
        r = self.instruments[instrument]
        u = self.underlyings[r["underlying"]]
        rate, q = u.get("rate", 0.0), u.get("dividend_yield", 0.0)
        days = (iso(r["expiry"]) - self.valuation).days
        years = days / 365.0
        moved = spot is not None
        spot = spot if moved else u["price"]
        decayed = max(years - horizon / 252.0, 0.0) if self.config.get("time_decay", True) else years
        if r["type"] == "future":
            return spot * math.exp((rate - q) * decayed)
        strike = float(r["strike"])
        if r["vol"]:
            vol = float(r["vol"])
        elif u["id"] in self.surfaces:
            vol = self.surfaces[u["id"]].vol(strike / (spot * math.exp((rate - q) * years)), years)
        else:
            vol = u["vol"]
        if moved:
            shift = vol_shift(days) if callable(vol_shift) else vol_shift
            vol = max(vol + shift, 0.01)
        is_call = r["right"] == "C"
        if r["on"] == "future":
            forward = spot * math.exp((rate - q) * decayed)
            return black_scholes(is_call, forward, strike, decayed, rate, 0.0, vol)
        return black_scholes(is_call, spot, strike, decayed, rate, rate - q, vol)

    def unit_pnl(self, instrument, kind):
        """One unit's P&L (times its multiplier) in each scenario of a kind."""
        key = (instrument, kind)
        if key not in self._pnl:
            r = self.instruments[instrument]
            u = r["underlying"]
            base = self.value(instrument, None, 0.0, 0)
            spot = self.underlyings[u]["price"]
            mult = float(r["multiplier"])
            self._pnl[key] = [
                mult * (self.value(instrument, spot * s[1][u], s[2][u], s[0]) - base)
                for s in getattr(self, kind)
            ]
        return self._pnl[key]

    def portfolio_pnl(self, positions, kind):
        count = len(getattr(self, kind))
        total = [0.0] * count
        for instrument, quantity in positions.items():
            for s, v in enumerate(self.unit_pnl(instrument, kind)):
                total[s] += quantity * v
        return total

    def expected_shortfall(self, positions):
        losses = [-p for p in self.portfolio_pnl(positions, "historical")]
        alpha = self.config.get("confidence", 0.99)
        assert self.config.get("measure", "es") == "es"
        weight = 1.0 / len(losses)
        ranked = sorted(losses, reverse=True)
        tail, before, weighted = 1.0 - alpha, 0.0, 0.0
        k = 0
        while before + weight < tail * (1 - 1e-12):
            before += weight
            weighted += weight * ranked[k]
            k += 1
        return max((weighted + (tail - before) * ranked[k]) / tail, 0.0)

    def per_underlying_charge(self, positions, kind):
        scenarios = getattr(self, kind)
        charge = 0.0
        for u in self.underlyings:
            mine = {i: q for i, q in positions.items() if self.instruments[i]["underlying"] == u}
            if not mine:
                continue
            pnl = self.portfolio_pnl(mine, kind)
            charge += max([0.0] + [s[3][u] * -p for s, p in zip(scenarios, pnl)])
        return charge

    def components(self, positions):
        c = {
            "statistical": self.expected_shortfall(positions),
            "span": self.per_underlying_charge(positions, "span"),
            "grid": self.per_underlying_charge(positions, "grid"),
            "named": max([0.0] + [-p for p in self.portfolio_pnl(positions, "named")]),
        }
        c["stress"] = max(c["span"], c["grid"], c["named"])
        assert self.config["combine"]["rule"] == "max"
        assert self.config["anti_procyclicality"].get("buffer_released", False)
        c["margin"] = max(c["statistical"], c["stress"])
        return c

    def row(self, level, id):
        if level == "group":
            members = [a for a, r in self.accounts.items() if r["group"] == id]
            positions = {}
            for a in members:
                for i, q in self.positions[a].items():
                    positions[i] = positions.get(i, 0.0) + q
            return self.components(positions)
        positions = self.positions[id]
        if self.accounts[id]["mode"] != "isolated":
            return self.components(positions)
        total = dict.fromkeys(COLUMNS, 0.0)
        for i, q in positions.items():
            if q == 0.0:
                continue
            unit = self.components({i: 1.0 if q > 0 else -1.0})
            for k in COLUMNS:
                total[k] += abs(q) * unit[k]
        return total

    def covered_rows(self):
        rows = [("account", a) for a, p in self.positions.items()
                if p and all(self.covered(i) for i in p)]
        groups = sorted({r["group"] for r in self.accounts.values() if r["group"]})
        for g in groups:
            members = [a for a, r in self.accounts.items() if r["group"] == g]
            if all(self.covered(i) for a in members for i in self.positions[a]):
                rows.append(("group", g))
        return rows


def check(sample, components_csv, tolerance, ids):
    with open(components_csv, newline="") as f:
        engine = {(r["level"], r["id"]): r for r in csv.DictReader(f)}
    rows = [r for r in sample.covered_rows() if not ids or r[1] in ids]
    failures = 0
    for level, id in rows:
        mine = sample.row(level, id)
        theirs = engine[(level, id)]
        for k in COLUMNS:
            got = float(theirs[k])
            if abs(got - mine[k]) > tolerance * max(abs(mine[k]), 1.0):
                failures += 1
                print(f"{level} {id} {k}: engine {got!r}, independent {mine[k]!r}")
    print(f"{len(rows)} rows compared ({len(rows) * len(COLUMNS)} values), {failures} differ")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", default=DEFAULT_SAMPLE)
    parser.add_argument("--ids", default="", help="comma-separated account or group ids")
    parser.add_argument("--check", metavar="COMPONENTS_CSV")
    parser.add_argument("--tolerance", type=float, default=1e-9)
    args = parser.parse_args()
    sample = Sample(args.sample)
    ids = [i for i in args.ids.split(",") if i]
    if args.check:
        return check(sample, args.check, args.tolerance, ids)
    print("level,id," + ",".join(COLUMNS))
    for level, id in sample.covered_rows():
        if ids and id not in ids:
            continue
        values = sample.row(level, id)
        print(f"{level},{id}," + ",".join(f"{values[k]:.17g}" for k in COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
