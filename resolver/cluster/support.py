"""The evidence between two clusters while they grow: average linkage over scored pairs.

Between two clusters it gives the mean match probability of the scored record pairs
across them, how many there are and how many of them are links (at or above the match
threshold). Record pairs never scored (not candidates) carry no evidence and are not
counted. The scored pairs are held as arrays in compressed sparse rows (each record's
neighbours, probabilities and link flags), and a question is answered from the smaller
cluster's rows, so joining costs no per-pair Python work.
"""

import numpy as np
import polars as pl

from resolver import frames as F


class Support:
    def __init__(self, n_records: int, scored: pl.DataFrame, links: pl.DataFrame):
        linked = links.select(F.UID_L, F.UID_R).with_columns(pl.lit(True).alias("link"))
        pairs = (scored.select(F.UID_L, F.UID_R, F.MATCH_PROBABILITY)
                 .join(linked, on=[F.UID_L, F.UID_R], how="left")
                 .with_columns(pl.col("link").fill_null(False)))
        left = pairs.get_column(F.UID_L).to_numpy().astype(np.int64)
        right = pairs.get_column(F.UID_R).to_numpy().astype(np.int64)
        source = np.concatenate([left, right])
        order = np.argsort(source, kind="stable")
        # Python lists: a question touches a few rows, where numpy's per-call cost dominates
        self.neighbour = np.concatenate([right, left])[order].tolist()
        self.probability = np.tile(pairs.get_column(F.MATCH_PROBABILITY).to_numpy(),
                                   2)[order].tolist()
        self.link = np.tile(pairs.get_column("link").to_numpy(), 2)[order].tolist()
        self.start = np.searchsorted(source[order], np.arange(n_records + 1)).tolist()
        self.root_of = list(range(n_records))
        self.members: list[list[int]] = [[u] for u in range(n_records)]

    def between(self, a: int, b: int) -> tuple[float, int, int]:
        """(mean probability, scored pairs, links) between the clusters rooted at a, b."""
        if len(self.members[a]) > len(self.members[b]):
            a, b = b, a
        total, pairs, links = 0.0, 0, 0
        start, neighbour, root_of = self.start, self.neighbour, self.root_of
        for u in self.members[a]:
            for row in range(start[u], start[u + 1]):
                if root_of[neighbour[row]] == b:
                    total += self.probability[row]
                    pairs += 1
                    links += self.link[row]
        return (total / pairs if pairs else 0.0), pairs, links

    def merge(self, root: int, gone: int) -> None:
        """The cluster rooted at gone has joined the one rooted at root."""
        for u in self.members[gone]:
            self.root_of[u] = root
        self.members[root].extend(self.members[gone])
        self.members[gone] = []
