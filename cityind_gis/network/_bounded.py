"""Compiled bounded Dijkstra from each facility (numba), for counts and catchments.

Private engine of :func:`~.accessibility.facility_counts_within`,
:func:`~.accessibility.node_accessibility` and :mod:`~.sfca`. Every search starts at
one facility, enters the graph at the two ends of the facility's edge (or at its
node), and stops at ``radius`` metres. Origins are attached to nodes through an
incidence list ``(node, origin, offset)``: an origin reached at node ``w`` at
distance ``D(w)`` is ``D(w) + offset`` metres from the facility, the offset being
the origin's access leg plus its distance along its own edge to ``w``. Origins on
the facility's own edge are also checked directly along that edge.

Only the nodes a search touches are reset afterwards, so one search costs
:math:`O(E_r \\log E_r)` for the :math:`E_r` edges within ``radius``, not
:math:`O(N)`: this is why it beats ``scipy.sparse.csgraph.dijkstra`` (which
allocates and fills a dense row of :math:`N` distances per source) when there are
many facilities and the radius is short.

:func:`count_within` shares the facilities out over the numba threads (one block and
one count array per thread, summed at the end). :func:`nearest_all` runs one
unbounded multi-source Dijkstra per category, the categories shared out over the
threads, for :func:`~.accessibility.node_accessibility`.
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange

__all__: list[str] = []


@njit(cache=True)
def _push(hk, hv, size, key, val):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Insert into the binary min-heap ``hk``/``hv`` (keys/values); returns the new size."""
    i = size
    while i > 0:  # move parents down into the hole until the key fits
        p = (i - 1) >> 1
        if hk[p] <= key:
            break
        hk[i] = hk[p]
        hv[i] = hv[p]
        i = p
    hk[i] = key
    hv[i] = val
    return size + 1


@njit(cache=True)
def _pop(hk, hv, size):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Remove the smallest key; returns ``(key, value, new size)``."""
    key = hk[0]
    val = hv[0]
    size -= 1
    if size > 0:
        lk = hk[size]
        lv = hv[size]
        i = 0
        while True:  # move the smaller child up into the hole until the last key fits
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and hk[c + 1] < hk[c]:
                c += 1
            if lk <= hk[c]:
                break
            hk[i] = hk[c]
            hv[i] = hv[c]
            i = c
        hk[i] = lk
        hv[i] = lv
    return key, val, size


@njit(cache=True)
def _push4(hk, hv, size, key, val):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Insert into the 4-ary min-heap ``hk``/``hv``; returns the new size.

    Half as deep as a binary heap and the four children share a cache line: about
    20 % faster for the large heaps of a multi-source search from many seeds.
    """
    i = size
    while i > 0:
        p = (i - 1) >> 2
        if hk[p] <= key:
            break
        hk[i] = hk[p]
        hv[i] = hv[p]
        i = p
    hk[i] = key
    hv[i] = val
    return size + 1


@njit(cache=True)
def _pop4(hk, hv, size):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Remove the smallest key of the 4-ary heap; returns ``(key, value, new size)``."""
    key = hk[0]
    val = hv[0]
    size -= 1
    if size > 0:
        lk = hk[size]
        lv = hv[size]
        i = 0
        while True:
            c = 4 * i + 1
            if c >= size:
                break
            m = c
            mk = hk[c]
            for j in range(c + 1, min(c + 4, size)):
                if hk[j] < mk:
                    mk = hk[j]
                    m = j
            if lk <= mk:
                break
            hk[i] = mk
            hv[i] = hv[m]
            i = m
        hk[i] = lk
        hv[i] = lv
    return key, val, size


@njit(cache=True)
def _ball(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    f, indptr, indices, data, f_u, f_v, f_leg, f_pu, f_pv, f_edge,
    inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radius,
    dist, seen_nodes, best, seen_orgs, hk, hv, quad,
):
    """Search from facility ``f``; fill ``best`` for reached origins.

    ``quad`` selects the 4-ary heap (faster) over the binary one; the binary heap
    keeps the order in which :func:`pairs_within` lists origins unchanged.

    Returns the number of touched nodes and origins (listed in ``seen_nodes`` and
    ``seen_orgs``); the caller resets ``dist`` and ``best`` for them.
    """
    size = 0
    ns = 0
    no = 0
    leg = f_leg[f]
    # origins on the facility's own edge, straight along it
    e = f_edge[f]
    if e >= 0:
        for k in range(e_ptr[e], e_ptr[e + 1]):
            o = e_org[k]
            d = leg + abs(e_pos[k] - f_pu[f]) + o_leg[o]
            if d < best[o]:
                if best[o] == np.inf:
                    seen_orgs[no] = o
                    no += 1
                best[o] = d
    # the two ends of the facility's edge (the same node when snapped to nodes)
    for side in range(2):
        node = f_u[f] if side == 0 else f_v[f]
        d0 = leg + (f_pu[f] if side == 0 else f_pv[f])
        if d0 <= radius and d0 < dist[node]:
            if dist[node] == np.inf:
                seen_nodes[ns] = node
                ns += 1
            dist[node] = d0
            size = _push4(hk, hv, size, d0, node) if quad else _push(hk, hv, size, d0, node)
    while size > 0:
        d, w, size = _pop4(hk, hv, size) if quad else _pop(hk, hv, size)
        if d > dist[w]:
            continue  # stale heap entry
        for k in range(inc_ptr[w], inc_ptr[w + 1]):
            o = inc_org[k]
            c = d + inc_off[k]
            if c < best[o]:
                if best[o] == np.inf:
                    seen_orgs[no] = o
                    no += 1
                best[o] = c
        for k in range(indptr[w], indptr[w + 1]):
            x = indices[k]
            nd = d + data[k]
            if nd <= radius and nd < dist[x]:
                if dist[x] == np.inf:
                    seen_nodes[ns] = x
                    ns += 1
                dist[x] = nd
                size = _push4(hk, hv, size, nd, x) if quad else _push(hk, hv, size, nd, x)
    return ns, no


@njit(cache=True)
def _count_chunk(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    lo, hi, counts, indptr, indices, data, n_nodes, f_u, f_v, f_leg, f_pu, f_pv, f_edge, f_cat,
    inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radii,
):
    """Add the searches from facilities ``lo <= f < hi`` into ``counts``."""
    n_org = o_leg.size
    nr = radii.size
    radius = radii[nr - 1]
    dist = np.full(n_nodes, np.inf)
    best = np.full(n_org, np.inf)
    seen_nodes = np.empty(n_nodes, dtype=np.int64)
    seen_orgs = np.empty(n_org, dtype=np.int64)
    hk = np.empty(indices.size + 2, dtype=np.float64)
    hv = np.empty(indices.size + 2, dtype=np.int64)
    for f in range(lo, hi):
        ns, no = _ball(
            f, indptr, indices, data, f_u, f_v, f_leg, f_pu, f_pv, f_edge,
            inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radius,
            dist, seen_nodes, best, seen_orgs, hk, hv, True,
        )
        c = f_cat[f]
        for i in range(no):
            o = seen_orgs[i]
            b = best[o]
            for j in range(nr):
                if b <= radii[j]:
                    counts[o, c, j] += 1
            best[o] = np.inf
        for i in range(ns):
            dist[seen_nodes[i]] = np.inf


@njit(cache=True, parallel=True)
def _count_blocks(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    n_blocks, indptr, indices, data, n_nodes, f_u, f_v, f_leg, f_pu, f_pv, f_edge, f_cat,
    inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radii, n_cat,
):
    """:func:`count_within` over ``n_blocks`` contiguous blocks of facilities in parallel."""
    n_org = o_leg.size
    nr = radii.size
    n_fac = f_u.size
    parts = np.zeros((n_blocks, n_org, n_cat, nr), dtype=np.int32)
    for b in prange(n_blocks):
        _count_chunk(
            (n_fac * b) // n_blocks, (n_fac * (b + 1)) // n_blocks, parts[b],
            indptr, indices, data, n_nodes, f_u, f_v, f_leg, f_pu, f_pv, f_edge, f_cat,
            inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radii,
        )
    if n_blocks == 1:
        return parts[0]
    counts = parts[0].copy()
    for b in range(1, n_blocks):
        counts += parts[b]
    return counts


def count_within(  # type: ignore[no-untyped-def]
    indptr, indices, data, n_nodes, f_u, f_v, f_leg, f_pu, f_pv, f_edge, f_cat,
    inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radii, n_cat,
):
    """Counts ``(n_origins, n_cat, n_radii)`` of facilities within each radius (sorted).

    The facilities are split into one contiguous block per numba thread
    (``numba.get_num_threads()``, i.e. ``NUMBA_NUM_THREADS``); each block counts into
    its own array. Counts are integers, so the sum is exact and the result does not
    depend on the number of threads.
    """
    n_blocks = max(1, min(get_num_threads(), int(f_u.size)))
    return _count_blocks(
        n_blocks, indptr, indices, data, n_nodes, f_u, f_v, f_leg, f_pu, f_pv, f_edge, f_cat,
        inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radii, n_cat,
    )


@njit(cache=True)
def _multi_source(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    indptr, indices, data, s_node, s_dist, limit, dist,
):
    """Dijkstra from several seeded nodes at once; ``dist`` (all inf) is filled in place.

    Reproduces ``scipy.sparse.csgraph.dijkstra(..., limit=limit)`` run from a virtual
    node joined to ``s_node`` by edges of weight ``s_dist``: a node is labelled when
    its distance is ``<= limit``. Any exact Dijkstra computes the same floating-point
    labels (each is the minimum of ``label(pred) + length`` over settled neighbours,
    and rounded addition of a positive length is monotone), so the values match scipy
    bit for bit.
    """
    hk = np.empty(indices.size + s_node.size + 2, dtype=np.float64)
    hv = np.empty(indices.size + s_node.size + 2, dtype=np.int64)
    size = 0
    for i in range(s_node.size):
        d0 = s_dist[i]
        x = s_node[i]
        if d0 <= limit and d0 < dist[x]:
            dist[x] = d0
            size = _push4(hk, hv, size, d0, x)
    while size > 0:
        d, w, size = _pop4(hk, hv, size)
        if d > dist[w]:
            continue  # stale heap entry
        for k in range(indptr[w], indptr[w + 1]):
            x = indices[k]
            nd = d + data[k]
            if nd <= limit and nd < dist[x]:
                dist[x] = nd
                size = _push4(hk, hv, size, nd, x)


@njit(cache=True, parallel=True)
def nearest_all(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    indptr, indices, data, n_nodes, s_ptr, s_node, s_dist, limit,
):
    """Distances ``(n_cat, n_nodes)`` from each category's seeds (CSR ``s_ptr``), in parallel.

    One :func:`_multi_source` search per category, the categories shared out over
    the numba threads; unreached nodes stay ``inf``.
    """
    n_cat = s_ptr.size - 1
    out = np.full((n_cat, n_nodes), np.inf)
    for k in prange(n_cat):
        _multi_source(indptr, indices, data, s_node[s_ptr[k]:s_ptr[k + 1]],
                      s_dist[s_ptr[k]:s_ptr[k + 1]], limit, out[k])
    return out


@njit(cache=True)
def pairs_within(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    indptr, indices, data, n_nodes, f_u, f_v, f_leg, f_pu, f_pv, f_edge,
    inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radius,
):
    """Every (facility, origin, distance) with distance <= ``radius``."""
    n_org = o_leg.size
    cap = 1024
    out_f = np.empty(cap, dtype=np.int64)
    out_o = np.empty(cap, dtype=np.int64)
    out_d = np.empty(cap, dtype=np.float64)
    n = 0
    dist = np.full(n_nodes, np.inf)
    best = np.full(n_org, np.inf)
    seen_nodes = np.empty(n_nodes, dtype=np.int64)
    seen_orgs = np.empty(n_org, dtype=np.int64)
    hk = np.empty(indices.size + 2, dtype=np.float64)
    hv = np.empty(indices.size + 2, dtype=np.int64)
    for f in range(f_u.size):
        ns, no = _ball(
            f, indptr, indices, data, f_u, f_v, f_leg, f_pu, f_pv, f_edge,
            inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radius,
            dist, seen_nodes, best, seen_orgs, hk, hv, False,
        )
        for i in range(no):
            o = seen_orgs[i]
            b = best[o]
            if b <= radius:
                if n == cap:
                    cap *= 2
                    nf = np.empty(cap, dtype=np.int64)
                    nf[:n] = out_f[:n]
                    out_f = nf
                    no_ = np.empty(cap, dtype=np.int64)
                    no_[:n] = out_o[:n]
                    out_o = no_
                    nd = np.empty(cap, dtype=np.float64)
                    nd[:n] = out_d[:n]
                    out_d = nd
                out_f[n] = f
                out_o[n] = o
                out_d[n] = b
                n += 1
            best[o] = np.inf
        for i in range(ns):
            dist[seen_nodes[i]] = np.inf
    return out_f[:n], out_o[:n], out_d[:n]

