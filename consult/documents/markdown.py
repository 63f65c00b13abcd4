"""Staff Markdown (a reply, a report's summary) as document blocks: headings, paragraphs with bold and italic,
numbered and bulleted lists, tables. Raw HTML is not interpreted (as on the pages); links keep their text."""

from markdown_it import MarkdownIt
from markdown_it.token import Token

from consult.documents.model import Block, Cell, Heading, Paragraph, Run, Table

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])


def _runs(inline: Token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    for child in inline.children or ():
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type == "em_open":
            italic += 1
        elif child.type == "em_close":
            italic -= 1
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run("\n", bold > 0, italic > 0))
        elif child.type in ("text", "code_inline", "html_inline"):
            runs.append(Run(child.content, bold > 0, italic > 0))
    return runs or [Run("")]


def blocks_from_markdown(text: str | None, *, heading_level: int = 1) -> list[Block]:
    """The blocks of ``text``; Markdown headings become document headings starting at ``heading_level``."""
    tokens = _markdown.parse(text or "")
    blocks: list[Block] = []
    lists: list[list] = []  # [ordered, next number] per open list
    prefix = ""
    table: list[list[Cell]] | None = None
    in_head = False
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            prefix = f"{number}. " if ordered else "• "
            lists[-1][1] = number + 1
        elif kind == "heading_open":
            level = min(heading_level + int(token.tag[1]) - 1, 2)
            blocks.append(Heading(tokens[index + 1].content.strip(), level))
        elif kind == "table_open":
            table = []
        elif kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open" and table is not None:
            table.append([])
        elif kind in ("th_open", "td_open") and table is not None:
            content = tokens[index + 1].content if tokens[index + 1].type == "inline" else ""
            table[-1].append(Cell(content, bold=in_head, align="center" if in_head else "left"))
        elif kind == "table_close" and table is not None:
            head = 1 if table and all(cell.bold for cell in table[0]) else 0
            blocks.append(Table(table, header_rows=head, small=True))
            table = None
        elif kind == "inline" and table is None and tokens[index - 1].type == "paragraph_open":
            runs = _runs(token)
            if prefix:
                runs = [Run(prefix), *runs]
                prefix = ""
            blocks.append(Paragraph(runs, align="left" if lists else "justify"))
        elif kind in ("fence", "code_block"):
            blocks.append(Paragraph.of(token.content.rstrip("\n"), align="left", small=True))
    return blocks
