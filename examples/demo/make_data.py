"""Generate the bundled demo: a small synthetic shop graph with text, written by us.

- ``items.parquet``: ``item_id`` (string), ``title`` (text built from category words),
  ``price`` (float), ``category`` (label, 0..4);
- ``users.parquet``: ``user_id``, ``age``, ``segment`` (a categorical string);
- ``purchases.parquet``: ``user_id``, ``item_id``, ``qty``.

Users prefer one or two categories, so both the titles and the purchase structure carry
signal about an item's category.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CATEGORIES = {
    0: ["running", "shoe", "trail", "sneaker", "sport", "mesh"],
    1: ["coffee", "espresso", "bean", "roast", "mug", "brew"],
    2: ["laptop", "usb", "charger", "keyboard", "monitor", "cable"],
    3: ["novel", "mystery", "paperback", "story", "author", "chapter"],
    4: ["tent", "camping", "lantern", "sleeping", "backpack", "outdoor"],
}
FILLER = ["classic", "new", "deluxe", "compact", "premium", "basic", "blue", "large", "mini", "pro"]


def make_demo_tables(out: str, n_users: int = 400, n_items: int = 300, n_edges: int = 4000, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    cat = rng.integers(0, 5, n_items)
    titles = []
    for c in cat:
        words = list(rng.choice(CATEGORIES[int(c)], 2, replace=False)) + list(rng.choice(FILLER, 2))
        if rng.random() < 0.25:  # some titles are misleading
            words[0] = str(rng.choice(CATEGORIES[int(rng.integers(0, 5))]))
        rng.shuffle(words)
        titles.append(" ".join(words))
    items = pa.table({"item_id": [f"item-{i:04d}" for i in range(n_items)], "title": titles,
                      "price": rng.gamma(2.0, 20.0, n_items).astype(np.float32), "category": cat})
    pq.write_table(items, os.path.join(out, "items.parquet"))
    taste = rng.integers(0, 5, (n_users, 2))
    users = pa.table({"user_id": [f"user-{u:04d}" for u in range(n_users)],
                      "age": rng.integers(18, 80, n_users).astype(np.float32),
                      "segment": rng.choice(["new", "regular", "vip"], n_users)})
    pq.write_table(users, os.path.join(out, "users.parquet"))
    by_cat = {c: np.flatnonzero(cat == c) for c in range(5)}
    u = rng.integers(0, n_users, n_edges)
    pref = taste[u, rng.integers(0, 2, n_edges)]
    noise = rng.random(n_edges) < 0.2
    pref = np.where(noise, rng.integers(0, 5, n_edges), pref)
    it = np.array([rng.choice(by_cat[int(c)]) for c in pref])
    edges = pa.table({"user_id": [f"user-{x:04d}" for x in u], "item_id": [f"item-{x:04d}" for x in it],
                      "qty": rng.integers(1, 4, n_edges).astype(np.float32)})
    pq.write_table(edges, os.path.join(out, "purchases.parquet"))
