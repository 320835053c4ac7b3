"""Chat text (from the agent, maybe from an LLM) to HTML that is safe to put in the page.

markdown-it-py renders with raw HTML disabled, so tags in the text come out escaped;
nh3 then keeps only a small allowlist as a second line of defence.

A reply never holds a link or an image: its text quotes place names, trip names and
tool results that anyone may have written (a place called `[Log in again](https://evil.
example)`), and the model may repeat what it read. Links show as the text they are.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": False, "breaks": True})
        .enable("table")
        .enable("strikethrough")
        .disable(["link", "image", "autolink", "reference"])
    )


def render_markdown(text: str) -> str:
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"ol": {"start"}},
        url_schemes=set(),
        link_rel=None,
    )
