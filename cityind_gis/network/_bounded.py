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
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__: list[str] = []


@njit(cache=True)
def _push(hk, hv, size, key, val):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    i = size
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= hk[i]:
            break
        hk[p], hk[i] = hk[i], hk[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return size + 1


@njit(cache=True)
def _pop(hk, hv, size):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    key = hk[0]
    val = hv[0]
    size -= 1
    if size > 0:
        hk[0] = hk[size]
        hv[0] = hv[size]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= size:
                break
            r = c + 1
            if r < size and hk[r] < hk[c]:
                c = r
            if hk[i] <= hk[c]:
                break
            hk[c], hk[i] = hk[i], hk[c]
            hv[c], hv[i] = hv[i], hv[c]
            i = c
    return key, val, size


@njit(cache=True)
def _ball(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    f, indptr, indices, data, f_u, f_v, f_leg, f_pu, f_pv, f_edge,
    inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radius,
    dist, seen_nodes, best, seen_orgs, hk, hv,
):
    """Search from facility ``f``; fill ``best`` for reached origins.

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
            size = _push(hk, hv, size, d0, node)
    while size > 0:
        d, w, size = _pop(hk, hv, size)
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
                size = _push(hk, hv, size, nd, x)
    return ns, no


@njit(cache=True)
def count_within(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    indptr, indices, data, n_nodes, f_u, f_v, f_leg, f_pu, f_pv, f_edge, f_cat,
    inc_ptr, inc_org, inc_off, e_ptr, e_org, e_pos, o_leg, radii, n_cat,
):
    """Counts ``(n_origins, n_cat, n_radii)`` of facilities within each radius (sorted)."""
    n_org = o_leg.size
    nr = radii.size
    counts = np.zeros((n_org, n_cat, nr), dtype=np.int32)
    radius = radii[nr - 1]
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
            dist, seen_nodes, best, seen_orgs, hk, hv,
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
    return counts


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
            dist, seen_nodes, best, seen_orgs, hk, hv,
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

