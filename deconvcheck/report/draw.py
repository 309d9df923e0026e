"""`draw` output: the size profile as text (a U in the terminal), a Mermaid flowchart, a Graphviz
digraph, or a standalone SVG picture drawn here (no Graphviz needed)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from deconvcheck.diagnostics import Diagnostic
from deconvcheck.layers.base import format_shape
from deconvcheck.profile import Block, Node, Profile, lanes
from deconvcheck.record import Record
from deconvcheck.report import style
from deconvcheck.report.diagnostics import terminal
from deconvcheck.report.style import Line, Part

BAR_WIDTH = 24
LABEL_WIDTH = 40
MAX_LANES = 12


class DrawView(Record):
    profile: Profile
    ascii: bool = False
    color: bool = False


class Glyphs(Record):
    bar: str
    flat: str
    unknown: str
    times: str
    ellipsis: str
    down: str  # a skip leaves this row
    up: str  # a skip arrives at this row
    vertical: str
    horizontal: str
    cross: str
    up_tee: str  # two skips arrive at one row
    down_tee: str  # two skips leave one row
    arrow: str
    mark: str  # an error
    warn: str  # a warning


UNICODE = Glyphs("█", "▪", "?", "×", "…", "┐", "┘", "│", "─", "┼", "┴", "┬", "◀", "✗", "▲")
ASCII = Glyphs("#", "=", "?", "x", "~", "+", "+", "|", "-", "+", "+", "+", "<", "X", "!")


def _size_text(block: Block, g: Glyphs) -> str:
    if block.size is None:
        return "?"
    if block.size == ():
        return "flat"
    low, high = block.low or block.size, block.high or block.size
    return g.times.join(
        "?" if a is None or b is None else (str(a) if a == b else f"{a}-{b}")
        for a, b in zip(low, high, strict=True)
    )


def _bar(block: Block, largest: int, g: Glyphs) -> str:
    if block.size is None:
        return g.unknown
    if block.size == ():
        return g.flat
    if block.extent is None:
        return g.unknown
    return g.bar * max(1, round(BAR_WIDTH * block.extent / largest))


def _cut(text: str, width: int, g: Glyphs) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + g.ellipsis


def _label(block: Block, g: Glyphs) -> str:
    """`name`, or `first … last (count)` with long names shortened so the count stays (names
    as the terminal shows them)."""
    names = block.names
    if len(names) == 1:
        return _cut(terminal(names[0]), LABEL_WIDTH, g)
    count = f" ({len(names)})"
    room = (LABEL_WIDTH - len(count) - 3) // 2
    first, last = terminal(names[0]), terminal(names[-1])
    return f"{_cut(first, room, g)} {g.ellipsis} {_cut(last, room, g)}{count}"


class Lanes(Record):
    """The skip connections as lanes to the right of the rows: per row its lane characters and
    what the row's connector shows (an arrow where a skip arrives, a line where one leaves)."""

    cells: list[list[str]]
    lead: list[str]
    hidden: int  # skips beyond MAX_LANES, counted rather than drawn


def _lanes(profile: Profile, g: Glyphs) -> Lanes:
    skips = profile.skips
    lane = lanes(skips)
    drawn = [i for i in range(len(skips)) if lane[i] < MAX_LANES]
    width = max((lane[i] + 1 for i in drawn), default=0)
    cells = [[" "] * width for _ in profile.blocks]
    lead = ["    "] * len(profile.blocks)
    reach = [-1] * len(profile.blocks)  # the furthest lane a row's connector runs to
    for i in drawn:
        s, k = skips[i], lane[i]
        cells[s.start][k] = g.down
        cells[s.end][k] = g.up
        for r in range(s.start + 1, s.end):
            cells[r][k] = g.vertical
        lead[s.start] = lead[s.start] if lead[s.start].strip() else f"  {g.horizontal * 2}"
        lead[s.end] = f"  {g.arrow}{g.horizontal}"
        for r in (s.start, s.end):
            reach[r] = max(reach[r], k)
    joins = {" ": g.horizontal, g.vertical: g.cross, g.up: g.up_tee, g.down: g.down_tee}
    for r, furthest in enumerate(reach):
        for k in range(furthest):
            cells[r][k] = joins.get(cells[r][k], cells[r][k])
    return Lanes(cells, lead, len(skips) - len(drawn))


def render_text(view: DrawView) -> str:
    profile, g = view.profile, ASCII if view.ascii else UNICODE
    nodes = profile.nodes
    shapes = [n.shape for n in nodes if n.shape is not None]
    ends = "not inferred"
    if shapes:  # the output is known only when the last layer was inferred
        end = format_shape(nodes[-1].shape) if nodes[-1].shape is not None else "?"
        ends = f"{format_shape(shapes[0])} -> {end}"
    drawn = _lanes(profile, g)
    largest = profile.largest
    sizes = [_size_text(b, g) for b in profile.blocks]
    channels = ["" if b.channels is None else str(b.channels) for b in profile.blocks]
    labels = [_label(b, g) for b in profile.blocks]
    size_width = max(map(len, [*sizes, "size"]))
    channel_width = max(map(len, [*channels, "ch"]))
    label_width = max(map(len, labels), default=0)
    lines: list[Line] = [
        [(f'Model: "{terminal(profile.name)}"', style.BOLD), (f" {ends}, {len(nodes)} layers", "")],
        [
            (
                f"{'size':>{size_width}}  {'ch':>{channel_width}}  {'':{BAR_WIDTH}}  layers",
                style.BOLD,
            )
        ],
    ]
    if not profile.blocks:  # nothing could be read: the findings say why
        lines[1:] = []
    lanes_drawn = bool(drawn.cells and drawn.cells[0])
    for r, block in enumerate(profile.blocks):
        pad = label_width if lanes_drawn or block.marks else 0  # no trailing spaces
        parts: list[Part] = [
            (f"{sizes[r]:>{size_width}}", style.NUMBER),
            (f"  {channels[r]:>{channel_width}}  ", ""),
            (f"{_bar(block, largest, g):{BAR_WIDTH}}", "cyan" if block.size else "dim"),
            (f"  {labels[r]:{pad}}", ""),
        ]
        if lanes_drawn:
            parts.append((drawn.lead[r] + "".join(drawn.cells[r]), "magenta"))
        for d in block.marks:
            severity = style.SEVERITY[d.severity.value]
            glyph = g.mark if d.severity.value == "error" else g.warn
            parts += [(f"  {glyph} ", severity), (d.code, severity)]
            parts.append((f" {terminal(d.layer or '')}", style.BOLD))
        lines.append(parts)
    footer = [
        f"Bar: the row's largest spatial size, to scale; {g.arrow}{g.horizontal}{g.up} a skip "
        "connection joined there."
    ]
    if any(b.size is None for b in profile.blocks):
        footer.append("?: not inferred (Keras would refuse the model before these layers).")
    if drawn.hidden:
        footer.append(f"{drawn.hidden} skip connection(s) not drawn (more than {MAX_LANES} lanes).")
    if any(len(b.nodes) > 1 for b in profile.blocks):
        footer.append(
            "Runs of layers at one scale (sizes within 1.5x) are folded into one row: --expand."
        )
    lines += [[(text, "dim")] for text in footer] if profile.blocks else []
    if profile.diagnostics:
        lines.append([("", "")])
        for d in profile.diagnostics:
            lines += style.diagnostic_lines(d)
    text = style.paint(lines, view.color)
    if view.ascii:
        text = text.encode("ascii", "replace").decode("ascii")
    return text


# ------------------------------------------------------------------- graphs: mermaid, dot


def _ids(profile: Profile) -> dict[str, str]:
    """Node identifiers safe in every syntax: n0, n1, ... in Keras's order."""
    return {n.name: f"n{i}" for i, n in enumerate(profile.nodes)}


def _edges(profile: Profile, ids: dict[str, str]) -> Iterator[tuple[str, str, bool]]:
    """(source id, target id, whether a skip connection) for every connection drawn."""
    skips = {(s.source, s.target) for s in profile.skips}
    for node in profile.nodes:
        for source in node.inputs:
            if source in ids:
                yield ids[source], ids[node.name], (source, node.name) in skips


def _describe(node: Node) -> list[str]:
    shape = "not inferred" if node.shape is None else format_shape(node.shape)
    lines = [node.name, node.type, shape]
    if node.params:
        lines.append(f"{node.params:,} params")
    return lines


def _worst(found: list[Diagnostic]) -> str:
    return "error" if any(d.severity.value == "error" for d in found) else "warning"


_MERMAID = {
    "#": "#35;",  # an entity code in a name (`#quot;`) is shown, not decoded
    "&": "#amp;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",  # a label in backticks is Markdown
    "%": "#37;",  # `%%{init: ...}%%` is a directive wherever it stands, comments included
}
_MERMAID_SPECIAL = re.compile('[#&"<>`%]')


def mermaid_text(text: str) -> str:
    r"""Text from a file in a Mermaid label or `%%` comment: as the terminal shows it (no line
    break ends the comment or the statement), then what Mermaid would read as markup as its
    entity codes (`#quot;`), `#` among them, so that an entity code in a name is not decoded.

    >>> mermaid_text('x"]\nFAKE[#quot;ok')
    'x#quot;]\\nFAKE[#35;quot;ok'
    """
    return _MERMAID_SPECIAL.sub(lambda match: _MERMAID[match.group()], terminal(text))


def render_mermaid(view: DrawView) -> str:
    profile = view.profile
    ids, marked = _ids(profile), profile.marked
    lines = ["flowchart TD", f"  %% {mermaid_text(profile.name)}: deconvcheck draw --to mermaid"]
    for node in profile.nodes:
        label = [mermaid_text(t) for t in _describe(node)]
        label += [mermaid_text(f"{d.code} {d.layer}") for d in marked.get(node.name, [])]
        lines.append(f'  {ids[node.name]}["{"<br/>".join(label)}"]')
    for source, target, skip in _edges(profile, ids):
        lines.append(f"  {source}{' -. skip .-> ' if skip else ' --> '}{target}")
    lines.append("  classDef error fill:#fdd,stroke:#c00,stroke-width:2px,color:#600")
    lines.append("  classDef warning fill:#fff3cd,stroke:#b8860b,stroke-width:2px")
    lines.append("  classDef unknown stroke-dasharray: 4 4,color:#666")
    for severity in ("error", "warning"):
        named = [ids[n] for n, found in marked.items() if n in ids and _worst(found) == severity]
        if named:
            lines.append(f"  class {','.join(named)} {severity}")
    unknown = [ids[n.name] for n in profile.nodes if n.shape is None and n.name not in marked]
    if unknown:
        lines.append(f"  class {','.join(unknown)} unknown")
    return "\n".join(lines) + "\n"


def dot_text(text: str) -> str:
    r"""Text from a file inside a DOT quoted string: as the terminal shows it (no raw line break
    or control), then `\` and `"` escaped, so that nothing ends the string and no Graphviz
    escape (`\N`, `\l`) is read from a name.

    >>> dot_text('a"; b [label="x\\N')
    'a\\"; b [label=\\"x\\\\N'
    """
    return terminal(text).replace("\\", "\\\\").replace('"', '\\"')


def render_dot(view: DrawView) -> str:
    profile = view.profile
    ids, marked = _ids(profile), profile.marked
    lines = [
        f'digraph "{dot_text(profile.name)}" {{',
        "  rankdir=TB;",
        '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
        '  edge [color="#555555"];',
    ]
    for node in profile.nodes:
        label = _describe(node) + [f"{d.code} {d.layer}" for d in marked.get(node.name, [])]
        text = "\\n".join(dot_text(line) for line in label)  # DOT's line break, not a name's
        attrs = [f'label="{text}"']
        if node.name in marked:
            error = _worst(marked[node.name]) == "error"
            attrs += [f'color="{"#cc0000" if error else "#b8860b"}"', "penwidth=2"]
            attrs += ['style="rounded,filled"', f'fillcolor="{"#ffdddd" if error else "#fff3cd"}"']
        elif node.shape is None:
            attrs += ['style="rounded,dashed"', 'fontcolor="#666666"']
        lines.append(f"  {ids[node.name]} [{', '.join(attrs)}];")
    skip_style = ' [style=dashed, color="#1f77b4", label="skip"]'
    for source, target, skip in _edges(profile, ids):
        lines.append(f"  {source} -> {target}{skip_style if skip else ''};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------- svg

_XML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
_XML_SPECIAL = re.compile("[&<>\"']")


def xml_text(text: str) -> str:
    r"""Text from a file in SVG (an element's text or a quoted attribute): as the terminal shows
    it, which also replaces every character XML 1.0 forbids (C0 controls, lone surrogates,
    U+FFFE, U+FFFF) by its escape, then `& < > " '` as entities (html.escape's set).

    >>> xml_text("<script>\x00]]>")
    '&lt;script&gt;\\x00]]&gt;'
    """
    return _XML_SPECIAL.sub(lambda match: _XML[match.group()], terminal(text))


SVG_BLOCK, SVG_GAP, SVG_TOP, SVG_HEIGHT, SVG_MARGIN = 30, 12, 90, 220, 24


def render_svg(view: DrawView) -> str:
    """The U profile as a picture: one bar per block, its height the spatial size, hanging from
    a common top line (so an encoder-decoder's bottom edge is a U); skip connections as arcs
    above; a failing block in red with its rule code. Hover a bar for its layers."""
    profile = view.profile
    blocks, largest = profile.blocks, profile.largest
    step = SVG_BLOCK + SVG_GAP
    width = 2 * SVG_MARGIN + max(len(blocks) * step - SVG_GAP, 200)
    height = SVG_TOP + SVG_HEIGHT + 90
    esc = xml_text
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
        'font-size="10">',
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='6' "
        "markerHeight='6' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' "
        "fill='#1f77b4'/></marker></defs>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{SVG_MARGIN}" y="20" font-size="14" font-weight="bold">'
        f"{esc(profile.name)}</text>",
    ]

    def center(i: int) -> float:
        return SVG_MARGIN + i * step + SVG_BLOCK / 2

    for skip in profile.skips:
        x1, x2 = center(skip.start), center(skip.end)
        rise = min(SVG_TOP - 34, 14 + (skip.end - skip.start) * 4)
        out.append(
            f'<path class="skip" d="M{x1},{SVG_TOP} C{x1},{SVG_TOP - rise} {x2},{SVG_TOP - rise} '
            f'{x2},{SVG_TOP}" fill="none" stroke="#1f77b4" stroke-width="1.5" '
            f'marker-end="url(#arrow)"><title>{esc(skip.source)} to {esc(skip.target)}</title>'
            "</path>"
        )
    for i, block in enumerate(blocks):
        known = block.extent is not None
        bar = max(SVG_HEIGHT * block.extent / largest if block.extent is not None else 6, 4)
        x = SVG_MARGIN + i * step
        kind = _worst(block.marks) if block.marks else ""
        fill = {"error": "#f4cccc", "warning": "#fff3cd"}.get(kind, "#9ecae1" if known else "#ddd")
        stroke = {"error": "#cc0000", "warning": "#b8860b"}.get(kind, "#3182bd")
        names = ", ".join(block.names)
        out.append(
            f'<rect class="{f"block {kind}" if kind else "block"}" x="{x}" y="{SVG_TOP}" '
            f'width="{SVG_BLOCK}" height="{bar:.1f}" fill="{fill}" stroke="{stroke}">'
            f"<title>{esc(names)}</title></rect>"
        )
        size = _size_text(block, UNICODE)
        out.append(
            f'<text x="{x + SVG_BLOCK / 2}" y="{SVG_TOP + bar + 14:.1f}" '
            f'text-anchor="middle">{esc(size)}</text>'
        )
        if block.channels is not None:
            out.append(
                f'<text x="{x + SVG_BLOCK / 2}" y="{SVG_TOP + bar + 26:.1f}" '
                f'text-anchor="middle" fill="#666">{block.channels}</text>'
            )
        for k, d in enumerate(block.marks):
            out.append(
                f'<text class="mark" x="{x + SVG_BLOCK / 2}" y="{SVG_TOP + bar + 40 + 12 * k:.1f}"'
                f' text-anchor="middle" fill="{stroke}" font-weight="bold">'
                f"{esc(d.code)} {esc(d.layer or '')}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


REPORTERS: dict[str, Callable[[DrawView], str]] = {
    "text": render_text,
    "mermaid": render_mermaid,
    "dot": render_dot,
    "svg": render_svg,
}
