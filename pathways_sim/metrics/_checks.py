"""Input validation shared by the metrics: every invalid argument raises ValueError naming it."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike


def _as_1d_float(x: ArrayLike, name: str, *, min_len: int = 1) -> np.ndarray:
    """Convert ``x`` to a finite 1-D float array, or raise ValueError naming it."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D array of numbers; could not convert it: {exc}") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got an array with shape {arr.shape}")
    if arr.size < min_len:
        raise ValueError(f"{name} must have at least {min_len} element(s), got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must not contain NaN or infinite values")
    return arr


def _as_weights(x: ArrayLike, name: str, *, min_len: int = 1) -> np.ndarray:
    """Finite, non-negative weights with a positive total (not normalised)."""
    arr = _as_1d_float(x, name, min_len=min_len)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative")
    if not arr.sum() > 0:
        raise ValueError(f"{name} must sum to a positive number (got all zeros)")
    return arr


def _check_same_length(**arrays: np.ndarray) -> None:
    lengths = {name: a.shape[0] for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{n} has length {k}" for n, k in lengths.items())
        raise ValueError(f"arrays must have the same length: {detail}")


def _optional_weights(weights: ArrayLike | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = _as_weights(weights, "weights")
    if w.shape[0] != n:
        raise ValueError(f"weights must have the same length as the data ({n}), got {w.shape[0]}")
    return w


def _check_int(value: object, name: str, low: int, high: int) -> int:
    # bool is an Integral subclass but passing True/False is always a mistake here.
    # ValueError (not TypeError) throughout: the package contract is that every
    # invalid argument raises ValueError naming it.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value
