"""Connected components on Spark: the large-star / small-star algorithm of Kiveris,
Lattanzi, Mirrokni, Rastogi and Vassilvitskii, "Connected Components in MapReduce and
Beyond" (SoCC 2014), in DataFrame operations.

Edges are undirected pairs of node ids. Large-star links every neighbour larger than a
node to the smallest node of its neighbourhood; small-star links a node and its smaller
neighbours to the smallest of them. Alternating the two until neither changes the edge set
leaves one star per component, centred on its smallest node, in O(log n) rounds. Each
round's edges are checkpointed, so the plan does not grow with the rounds.
"""

from pyspark.sql import functions as S

SRC, DST = "src", "dst"


def _undirected(edges):
    return edges.select(S.least(SRC, DST).alias(SRC), S.greatest(SRC, DST).alias(DST)).filter(
        S.col(SRC) != S.col(DST)).distinct()


def _both_ways(edges):
    return edges.unionByName(edges.select(S.col(DST).alias(SRC), S.col(SRC).alias(DST)))


def large_star(edges):
    """For each node u and neighbour v > u: the edge (v, m(u)), m(u) the smallest of u's
    neighbourhood and u."""
    both = _both_ways(edges)
    smallest = both.groupBy(SRC).agg(S.min(DST).alias("m")).withColumn(
        "m", S.least("m", SRC))
    out = both.filter(S.col(DST) > S.col(SRC)).join(smallest, on=SRC).select(
        S.col(DST).alias(SRC), S.col("m").alias(DST))
    return _undirected(out)


def small_star(edges):
    """For each node u, its neighbours v <= u and u itself linked to the smallest of
    them."""
    down = edges.select(S.greatest(SRC, DST).alias(SRC), S.least(SRC, DST).alias(DST))
    smallest = down.groupBy(SRC).agg(S.min(DST).alias("m"))
    linked = down.join(smallest, on=SRC)
    out = linked.select(S.col(DST).alias(SRC), S.col("m").alias(DST)).unionByName(
        linked.select(S.col(SRC).alias(SRC), S.col("m").alias(DST)))
    return _undirected(out)


def _fingerprint(edges) -> tuple:
    row = edges.agg(S.count(S.lit(1)), S.sum(S.xxhash64(SRC, DST).cast("decimal(38,0)"))).first()
    return row[0], row[1]


def connected_components(edges, max_rounds: int = 200):
    """edges: (src, dst) long ids -> (node, component): every node an edge touches and
    the smallest node of its component."""
    current = _undirected(edges).localCheckpoint()
    seen = _fingerprint(current)
    for _ in range(max_rounds):
        current = small_star(large_star(current)).localCheckpoint()
        now = _fingerprint(current)
        if now == seen:
            break
        seen = now
    else:
        raise RuntimeError("connected components did not converge")
    # one star per component, centred on its smallest node
    return _both_ways(current).groupBy(SRC).agg(S.min(DST).alias("m")).select(
        S.col(SRC).alias("node"), S.least("m", SRC).alias("component"))
