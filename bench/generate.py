"""A deterministic generator of synthetic AI-industry graphs, as N-Triples, from 10k to 10M triples.

Companies found model families with versions, build products on them, partner with each other,
take money from investors and run on clouds; every entity has an English and a Chinese label.
Investors and clouds are drawn with a heavy tail, so the graph has hubs like the real market.

    python -m bench.generate 1000000 /tmp/industry-1m.nt
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

from ontology import AIKG, KG

__all__ = ["generate", "triples"]

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _term(name: str) -> str:
    return f"<{AIKG}{name}>"


def _entity(slug: str) -> str:
    return f"<{KG}{slug}>"


def triples(seed: int = 42) -> Iterator[str]:
    """An endless, deterministic stream of N-Triples lines describing a synthetic industry."""
    rng = random.Random(seed)
    company = 0
    while True:
        yield from _company_block(rng, company)
        company += 1


def _company_block(rng: random.Random, i: int) -> Iterator[str]:
    me = _entity(f"company-{i}")
    yield f"{me} {RDF_TYPE} {_term('Company')} ."
    yield f'{me} {LABEL} "Company {i}"@en .'
    yield f'{me} {LABEL} "公司{i}"@zh .'
    yield f'{me} <https://schema.org/foundingDate> "{1990 + i % 35}"^^<{XSD}gYear> .'
    if i:
        for partner in {rng.randrange(i) for _ in range(rng.randint(0, 2))}:
            yield f"{me} {_term('partnerOf')} {_entity(f'company-{partner}')} ."
        # Investors and clouds come from a heavy tail over earlier companies: hubs emerge.
        investors = {min(int(rng.paretovariate(1.2)) - 1, i - 1) for _ in range(rng.randint(0, 2))}
        for investor in sorted(investors):
            yield f"{_entity(f'company-{investor}')} {_term('investsIn')} {me} ."
        cloud = min(int(rng.paretovariate(2.0)) - 1, i - 1)
        yield f"{_entity(f'company-{cloud}')} {_term('suppliesCloudTo')} {me} ."
    family = _entity(f"model-{i}")
    yield f"{family} {RDF_TYPE} {_term('FoundationModel')} ."
    yield f'{family} {LABEL} "Model {i}"@en .'
    yield f'{family} {LABEL} "模型{i}"@zh .'
    yield f"{family} {_term('developedBy')} {me} ."
    versions = [f"{_entity(f'model-{i}-{v}')}" for v in range(1, rng.randint(2, 4))]
    for v, version in enumerate(versions, start=1):
        yield f"{version} {RDF_TYPE} {_term('FoundationModel')} ."
        yield f'{version} {LABEL} "Model {i}.{v}"@en .'
        yield f'{version} {LABEL} "模型{i}.{v}"@zh .'
        yield f"{version} {_term('versionOf')} {family} ."
        yield f"{version} {_term('developedBy')} {me} ."
        month = 1 + (i + v) % 12
        yield f'{version} {_term("releaseDate")} "2024-{month:02d}"^^<{XSD}gYearMonth> .'
    for p in range(rng.randint(1, 2)):
        product = _entity(f"product-{i}-{p}")
        yield f"{product} {RDF_TYPE} {_term('Product')} ."
        yield f'{product} {LABEL} "Product {i}-{p}"@en .'
        yield f'{product} {LABEL} "产品{i}-{p}"@zh .'
        yield f"{product} {_term('poweredBy')} {rng.choice(versions)} ."


def generate(n_triples: int, path: str | Path, seed: int = 42) -> Path:
    """Write exactly ``n_triples`` N-Triples lines to ``path`` and return the path.

    >>> import tempfile, os
    >>> out = generate(50, os.path.join(tempfile.mkdtemp(), "g.nt"))
    >>> sum(1 for _ in out.open(encoding="utf-8"))
    50
    """
    path = Path(path)
    stream = triples(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(n_triples):
            out.write(next(stream) + "\n")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m bench.generate N_TRIPLES OUTPUT.nt")
    print(generate(int(sys.argv[1].replace("_", "")), sys.argv[2]))
