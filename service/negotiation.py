"""Content negotiation: pick a format from ``?format=`` (for download links) or the Accept header
(with q-values and wildcards), or answer 406 Not Acceptable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import parse_accept_header

from graph.errors import BadInput
from graph.rdf.formats import RDF_SYNTAXES, RESULTS_FORMATS, RdfSyntax, format_name

from .urls import query_arg

__all__ = [
    "ASK_OFFERS",
    "DATASET_OFFERS",
    "HTML",
    "RDF_OFFERS",
    "SELECT_OFFERS",
    "Offer",
    "content_type",
    "negotiate",
    "unknown_format",
]


@dataclass(frozen=True)
class Offer:
    """A format the server can send: its short name, its media type and other media types a
    client may ask for it by."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


_RESULT_ALIASES = {
    "json": ("application/json",),
    "xml": ("application/xml", "text/xml"),
}
_RDF_ALIASES = {"turtle": ("application/x-turtle",), "ntriples": ("text/plain",)}
_RDF_ORDER = ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads")


def _rdf_offer(syntax: RdfSyntax) -> Offer:
    return Offer(syntax.name, syntax.media_type, _RDF_ALIASES.get(syntax.name, ()))


#: A page for people, offered beside data formats to browsers.
HTML = Offer("html", "text/html", ("application/xhtml+xml",))

_BY_NAME = {s.name: s for s in RDF_SYNTAXES}
SELECT_OFFERS = tuple(Offer(n, t, _RESULT_ALIASES.get(n, ())) for n, t in RESULTS_FORMATS.items())
ASK_OFFERS = SELECT_OFFERS[:2]
RDF_OFFERS = tuple(_rdf_offer(_BY_NAME[n]) for n in _RDF_ORDER)
DATASET_OFFERS = tuple(o for n in ("trig", "nquads", "jsonld") for o in RDF_OFFERS if o.name == n)


def unknown_format(name: str, accepted: Sequence[str]) -> BadInput:
    """The one 400 every route gives for a ``format=`` it does not offer (406 is for Accept)."""
    return BadInput(f"format: expected one of {', '.join(accepted)}, got {name!r}")


def negotiate(offers: Sequence[Offer], what: str = "this result") -> Offer:
    """The offer this request wants: named by ``?format=`` (a short name or a media type; 400
    for another), else the best Accept match by q-value and specificity, the first offer on a
    tie or without Accept. Raises 406 when nothing in Accept fits."""
    wanted = query_arg("format")
    if not wanted and request.mimetype == "application/x-www-form-urlencoded":
        wanted = request.form.get("format")
    if wanted:
        key = format_name(wanted.strip().lower(), file_names=False)
        for offer in offers:
            if key == offer.name or key in offer.media_types:
                return offer
        raise unknown_format(wanted, [o.name for o in offers])
    best = _best(request.environ.get("HTTP_ACCEPT", ""), tuple(offers))
    if best is None:
        raise NotAcceptable(f"none of the media types in Accept is offered for {what}; "
                            "offered: " + ", ".join(o.media_type for o in offers))
    return best


@lru_cache(maxsize=512)
def _best(header: str, offers: tuple[Offer, ...]) -> Offer | None:
    """The best offer for an Accept header (clients send few distinct ones: cached).

    >>> [_best(accept, SELECT_OFFERS).name
    ...  for accept in ("", "text/*", "application/xml;q=0.5, text/csv")]
    ['json', 'csv', 'csv']
    >>> _best("image/png", SELECT_OFFERS) is None
    True
    """
    if not header.strip():
        return offers[0]
    # Media type parameters other than q (charset, profile) do not rule an offer out.
    parsed = parse_accept_header(header, MIMEAccept)
    accept = MIMEAccept([(v.split(";")[0].strip(), q) for v, q in parsed])
    # Main media types before aliases: text/* means CSV, not XML as text/xml.
    types = [o.media_type for o in offers] + [t for o in offers for t in o.aliases]
    best = accept.best_match(types)
    return next((o for o in offers if best in o.media_types), None)


def content_type(offer: Offer) -> str:
    """The Content-Type header for an offer: text types say their charset.

    >>> content_type(HTML), content_type(Offer("json", "application/json"))
    ('text/html; charset=utf-8', 'application/json')
    """
    text = offer.media_type.startswith("text/") or offer.name in ("ntriples", "nquads", "trig")
    return f"{offer.media_type}; charset=utf-8" if text else offer.media_type
