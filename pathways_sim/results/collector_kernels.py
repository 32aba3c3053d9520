"""numba kernels of the results collector (``results/collector.py``): a step's person-time and deaths by cell, and
the yearly snapshot's counts and sums by group, in one pass over the population (one per measure for the
snapshot) instead of a bincount, and a masked copy, per kind of cell, measure and grouping.  The collector's
numpy path is the reference they are tested against byte for byte (``tests/test_collector_kernels.py``).

Bit for bit: counts are integers (the collector multiplies them by ``dt`` as it multiplies numpy's, and a count
of ones in float64 is exact), and ``np.bincount`` with weights adds its weights one at a time in index order, so
a loop adding the same float64 values in the same order gives the same sums.  Whoever a measure does not count
has weight 0 and value +0.0 in the numpy path; the kernels add +0.0 where it suits them (to every group a person
is not in, say), which changes no sum: a sum that starts at +0.0 is never -0.0, and x + (+0.0) is x for every
other x.  So nothing branches on random 0/1 states (a mispredicted branch costs more than the adds).
Comparisons are made in the dtype numpy makes them in (thresholds are passed already in it).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core.kernels import kernel, prefetch
from pathways_sim.core.sorting import stable_order

# float32 constants (numba freezes module-level numpy scalars with their type, so rank * 5 stays float32 as
# numpy's ``income_rank * 5`` does; a Python 5 would promote it to float64).
_FIVE = np.float32(5.0)
_FOUR = np.float32(4.0)
_ZERO = np.float32(0.0)
_LAST_YEAR = np.float32(255.0)
# A person's fine cell for the snapshot: (area decile - 1) * 10 + (income quintile - 1) * 2 + (1 if female),
# from which their group in each grouping follows; the sums of a measure are kept in slots, each grouping's
# groups (numbered from 1) from its start: all (1 group), area decile (10), area quintile (5), income quintile
# (5), sex (2).
N_FINE = 100
GROUPING_STARTS = {"all": 0, "area_deprivation_decile": 1, "area_deprivation_quintile": 11, "income_quintile": 16,
                   "sex": 21}
N_SLOTS = 23
_DECILE, _QUINTILE, _INCOME, _SEX = 1, 11, 16, 21


def group_totals_and_sums(area: np.ndarray, area_decile: np.ndarray, income_rank: np.ndarray, female: np.ndarray,
                          measures: dict[str, tuple[np.ndarray, np.ndarray]], groupings: dict[str, int]
                          ) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray | None]]:
    """``collector._group_totals_and_sums`` in one pass over the population for the 0/1 measures
    (``measures_counts``) and one for the others of each dtype (``measures_sums``)."""
    fine = np.empty(area.size, dtype=np.int64)
    fine_cells(area, area_decile, income_rank, female, fine)
    counts: dict[str, np.ndarray] = {}
    sums: dict[str, np.ndarray] = {}
    # A sum of 1.0s and 0.0s is the whole number of 1s, exactly (float64 holds every count up to 2**53): for a 0/1
    # measure, the people with the value by fine cell, summed over the cells of each group, give numpy's bits.
    flags = [name for name, (values, _) in measures.items() if name == "population" or values.dtype == np.bool_]
    if flags:
        by_cell, hits = np.zeros((2, len(flags), N_FINE), dtype=np.int64)
        measures_counts(tuple(_contiguous(measures[name][1]) for name in flags),
                        tuple(_contiguous(measures[name][1 if name == "population" else 0]) for name in flags),
                        fine, by_cell, hits)
        for k, name in enumerate(flags):
            counts[name], sums[name] = _by_group(by_cell[k]), _by_group(hits[k]).astype(np.float64)
    by_dtype: dict[np.dtype, list[str]] = {}
    for name, (values, _) in measures.items():
        if name not in flags:
            by_dtype.setdefault(values.dtype, []).append(name)
    for names in by_dtype.values():  # one kernel per dtype: numba indexes a tuple of arrays of one type
        by_cell = np.zeros((len(names), N_FINE), dtype=np.int64)
        by_slot = np.zeros((len(names), N_SLOTS))
        measures_sums(tuple(_contiguous(measures[name][1]) for name in names),
                      tuple(_contiguous(measures[name][0]) for name in names), fine, by_cell, by_slot)
        for k, name in enumerate(names):
            counts[name], sums[name] = _by_group(by_cell[k]), by_slot[k]
    out: dict[tuple[str, str], tuple[np.ndarray, np.ndarray | None]] = {}
    for name in measures:
        totals = counts[name].astype(np.float64)  # float64 like numpy's weighted bincounts: exact
        for grouping, size in groupings.items():
            start = GROUPING_STARTS[grouping]
            out[grouping, name] = (totals[start:start + size],
                                   None if name == "population" else sums[name][start:start + size].copy())
    return out


def _contiguous(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values)


def _by_group(by_fine_cell: np.ndarray) -> np.ndarray:
    """Integer counts by fine cell summed into the slots of each grouping's groups (exact)."""
    by_cell = by_fine_cell.reshape(10, 5, 2)  # area decile, income quintile, sex
    return np.concatenate([by_cell.sum().reshape(1), by_cell.sum((1, 2)), by_cell.reshape(5, 2, 5, 2).sum((1, 2, 3)),
                           by_cell.sum((0, 2)), by_cell.sum((0, 1))])


@kernel
def person_time(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        alive: np.ndarray, age: np.ndarray, female: np.ndarray, area: np.ndarray, area_decile: np.ndarray,
        income_rank: np.ndarray, poor_health: np.ndarray, cmd: np.ndarray, band_of_year: np.ndarray, n_bands: int,
        cohort_from: np.floating, slot_cells: np.ndarray, decile_counts: np.ndarray, income_counts: np.ndarray,
        cmd_counts: np.ndarray, cohort_counts: np.ndarray) -> None:
    """Each slot's cell (area decile x income quintile x sex x age band) into ``slot_cells`` (for ``deaths``); the
    living added to ``decile_counts`` and ``income_counts`` by cell (area decile or income quintile x sex x age
    band: row 0 everyone, row 1 those in not-good health), those with CMD by decile to ``cmd_counts``, and the
    cohort's (age >= ``cohort_from``) people, not-good health and CMD by decile to the rows of ``cohort_counts``.
    Two counts per person, of their cells and states (0 for the dead, so that nothing branches on random 0/1
    states), in tables small enough for the fastest cache, folded into those totals at the end (integers: exact).
    An empty slot's cell only has to be a valid index."""
    n_decile_cells, n_income_cells = 10 * 2 * n_bands, 5 * 2 * n_bands
    by_decile_cell = np.zeros(n_decile_cells * 8, dtype=np.int32)  # x (cohort, CMD, not-good health): bits 2, 1, 0
    by_income_cell = np.zeros(n_income_cells * 2, dtype=np.int32)  # x not-good health
    for i in range(alive.size):
        a = age[i]
        # metrics.whole_year_bands: the band of clip(floor(age), 0, 255); the truncation of the clipped float32 is
        # its floor, and a NaN gives 0.  Selects, not branches: ages come in no order.
        whole = a if a > _ZERO else _ZERO
        whole = whole if whole < _LAST_YEAR else _LAST_YEAR
        band = np.int64(band_of_year[np.int64(whole)])
        # collector.income_quintile less 1: min(floor(rank * 5), 4), the product in float32; a negative or NaN
        # rank, which only an empty slot can hold, gives 0.
        scaled = income_rank[i] * _FIVE
        scaled = scaled if scaled > _ZERO else _ZERO
        quintile = np.int64(scaled if scaled < _FOUR else _FOUR)
        decile = np.int64(area_decile[area[i]]) - 1
        sex = np.int64(female[i])
        slot_cells[i] = ((decile * 5 + quintile) * 2 + sex) * n_bands + band
        living = np.int32(alive[i])
        unhealthy = np.int64(poor_health[i])
        states = unhealthy | (np.int64(cmd[i]) << 1) | (np.int64(a >= cohort_from) << 2)
        by_decile_cell[((decile * 2 + sex) * n_bands + band) * 8 + states] += living
        by_income_cell[((quintile * 2 + sex) * n_bands + band) * 2 + unhealthy] += living
    for d_cell in range(n_decile_cells):
        d = d_cell // (2 * n_bands)
        for bits in range(8):
            people = np.int64(by_decile_cell[d_cell * 8 + bits])
            decile_counts[0, d_cell] += people
            decile_counts[1, d_cell] += people * (bits & 1)
            cmd_counts[d] += people * ((bits >> 1) & 1)
            in_cohort = people * (bits >> 2)
            cohort_counts[0, d] += in_cohort
            cohort_counts[1, d] += in_cohort * (bits & 1)
            cohort_counts[2, d] += in_cohort * ((bits >> 1) & 1)
    for i_cell in range(n_income_cells):
        income_counts[0, i_cell] += np.int64(by_income_cell[i_cell * 2]) + np.int64(by_income_cell[i_cell * 2 + 1])
        income_counts[1, i_cell] += np.int64(by_income_cell[i_cell * 2 + 1])


@kernel
def deaths(died: np.ndarray, slot_cells: np.ndarray, n_bands: int, decile_counts: np.ndarray,
           income_counts: np.ndarray) -> None:
    """Add the people who died to the counts of the cells (area decile or income quintile x sex x age band) they
    were in at the start of the step (``slot_cells``, from ``person_time``)."""
    for i in range(died.size):
        if died[i]:  # deaths are rare: the branch is predicted
            cell = slot_cells[i]
            band = cell % n_bands
            sex = (cell // n_bands) % 2
            decile_counts[((cell // (10 * n_bands)) * 2 + sex) * n_bands + band] += 1
            income_counts[(((cell // (2 * n_bands)) % 5) * 2 + sex) * n_bands + band] += 1


@kernel
def fine_cells(area: np.ndarray, area_decile: np.ndarray, income_rank: np.ndarray, female: np.ndarray,
               out: np.ndarray) -> None:
    """Each slot's fine cell (``N_FINE``); an empty slot's stale rank only has to give a valid index."""
    for i in range(area.size):
        scaled = income_rank[i] * _FIVE  # as in person_time
        scaled = scaled if scaled > _ZERO else _ZERO
        quintile = np.int64(scaled if scaled < _FOUR else _FOUR)
        out[i] = (np.int64(area_decile[area[i]]) - 1) * 10 + quintile * 2 + np.int64(female[i])


@kernel
def measures_counts(whos: tuple, values: tuple, fine: np.ndarray, counts: np.ndarray, hits: np.ndarray) -> None:
    """For each 0/1 measure m (a tuple of arrays of one type), add to ``counts[m]`` the people ``whos[m]`` counts
    in each fine cell, and to ``hits[m]`` those of them whose value is 1."""
    for i in range(fine.size):
        cell = fine[i]
        for m in range(len(whos)):
            counted = np.int64(whos[m][i])
            counts[m, cell] += counted
            hits[m, cell] += counted & np.int64(values[m][i])


@kernel
def measures_sums(whos: tuple, values: tuple, fine: np.ndarray, counts: np.ndarray, sums: np.ndarray) -> None:
    """For each measure m (tuples of arrays of one type), add to ``counts[m]`` the people ``whos[m]`` counts in each
    fine cell, and to ``sums[m]`` (slots as ``GROUPING_STARTS``) the float64 of their ``values[m]`` in each group,
    in slot order: numpy's ``where(who, values, 0.0)`` as float64, bincounted.  The measures' sums are independent
    chains of adds, so a pass over all of them at once keeps the processor busy where one measure at a time
    waits on each add."""
    for i in range(fine.size):
        cell = fine[i]
        decile = cell // 10
        quintile = _QUINTILE + decile // 2
        income = _INCOME + (cell % 10) // 2
        sex = _SEX + cell % 2
        decile += _DECILE
        for m in range(len(whos)):
            counted = whos[m][i]
            v = np.float64(values[m][i]) if counted else 0.0
            counts[m, cell] += np.int64(counted)
            sums[m, 0] += v
            sums[m, decile] += v
            sums[m, quintile] += v
            sums[m, income] += v
            sums[m, sex] += v


# -- Erreygers' indices: everyone ranked by income once, by a radix sort (metrics.erreygers_indices_within) ---

def fractional_ranks_within(rank_by: np.ndarray, subsets: list[np.ndarray]) -> list[np.ndarray]:
    """``metrics.fractional_ranks_within``, the same numbers bit for bit: the stable order of ``rank_by`` from a
    radix sort (``core.sorting.stable_order``), and every subset's tie groups and midpoints in one walk along it
    (``ranks_in_subsets``, 64 subsets at a time)."""
    values = np.ascontiguousarray(rank_by, dtype=np.float64)
    if not subsets:
        return []
    order = np.empty(values.size, dtype=np.int64)
    stable_order(values, order)
    masks = [np.ascontiguousarray(subset, dtype=np.bool_) for subset in subsets]
    ranks: list[np.ndarray] = []
    for first in range(0, len(masks), 64):
        some = tuple(masks[first:first + 64])
        by_row = np.empty((values.size, len(some)))
        ranks_in_subsets(values, order, some, np.array([np.count_nonzero(m) for m in some], dtype=np.int64), by_row)
        ranks.extend(by_row[:, k][mask] for k, mask in enumerate(some))
    return ranks


@kernel
def ranks_in_subsets(values: np.ndarray, order: np.ndarray, subsets: tuple, totals: np.ndarray,
                     by_row: np.ndarray) -> None:
    """Each member's fractional rank among the ``totals[k]`` members of ``subsets[k]`` (at most 64 of them), into
    ``by_row[row, k]``: walking the rows in ascending value (``order``) a group of equal values at a time, the
    members of a subset in the group (its own tie group) share (members ranked below + members up to the group's
    last) / (2 * members), sums of whole numbers in float64 as numpy's cumulative sums of ones are, so the one
    division gives numpy's bits.  (Rows outside a subset get a number too, never read.)

    The values and memberships (a bit per subset) are gathered into ascending order first, and the ranks scattered
    back to the rows last, each in a loop that does nothing else and asks for the rows it will reach 16 on, so
    that its reads or writes at random overlap; the walk between them reads and writes in order."""
    n, count = values.size, totals.size
    member = np.zeros(n, dtype=np.uint64)
    for k in range(count):
        subset, bit = subsets[k], np.uint64(1) << np.uint64(k)
        for row in range(n):
            member[row] |= bit if subset[row] else np.uint64(0)
    ordered, ordered_member = np.empty(n), np.empty(n, dtype=np.uint64)
    for i in range(n):
        later = order[min(i + 16, n - 1)]
        prefetch(values, later)
        prefetch(member, later)
        ordered[i] = values[order[i]]
        ordered_member[i] = member[order[i]]
    below = np.zeros(count, dtype=np.int64)
    members = np.empty(count, dtype=np.int64)
    ranked = np.empty((n, count))  # by place in the order
    first = 0
    while first < n:
        end = first + 1
        while end < n and ordered[end] == ordered[first]:
            end += 1
        members[:] = 0
        for i in range(first, end):
            for k in range(count):
                members[k] += np.int64((ordered_member[i] >> np.uint64(k)) & np.uint64(1))
        for k in range(count):
            rank = (np.float64(below[k]) + np.float64(below[k] + members[k])) / (2.0 * np.float64(totals[k]))
            for i in range(first, end):
                ranked[i, k] = rank
            below[k] += members[k]
        first = end
    for i in range(n):  # to the rows, a row's ranks side by side
        prefetch(by_row, order[min(i + 16, n - 1)] * count)
        row = order[i]
        for k in range(count):
            by_row[row, k] = ranked[i, k]
