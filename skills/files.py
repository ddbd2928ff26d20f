"""Reading the administrator's files: problems with file, key and reason; UTF-8 only.

Catalogues and calendar files are edited by hand, often on Chinese Windows desktops whose
editors still save as GBK (GB18030). Such a file is refused with the byte offset of the
first byte that is not UTF-8 and a hint, never with a traceback. A UTF-8 byte-order mark
(Notepad's "UTF-8 with BOM") is accepted. YAML mappings must not repeat a key: PyYAML
keeps the last of two silently, and a repeated ``2027:`` block or matter code is a mistake.

Bounded, so that no file can stall a check or a live reload: a file over
``MAX_CONFIG_BYTES`` (4 MiB; the shipped catalogue is 30 kB) is refused before it is read,
and a document that stands for more than ``MAX_YAML_NODES`` values once its aliases
(``*name``) are expanded is refused after composing, before anything walks it: an
alias-expansion file ("billion laughs") costs what its text costs. Plain anchors and
aliases (one ``hours`` block shared by several units) are fine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_YAML_NODES",
    "CatalogueInvalid",
    "CatalogueProblem",
    "decode_utf8",
    "parse_yaml",
    "read_config_text",
]


MAX_CONFIG_BYTES = 4 << 20
MAX_YAML_NODES = 200_000  # values after alias expansion (the shipped catalogue: 1,546)


@dataclass(frozen=True, slots=True)
class CatalogueProblem:
    file: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path or '<file>'}: {self.reason}"


class CatalogueInvalid(Exception):
    """A catalogue or calendar file has problems; ``problems`` lists every one."""

    def __init__(self, problems: list[CatalogueProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def decode_utf8(data: bytes, source: str) -> str:
    """``data`` as text, or CatalogueInvalid naming the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            data.decode("gb18030")
            hint = "saved as GBK? save the file as UTF-8"
        except UnicodeDecodeError:
            hint = "save the file as UTF-8"
        raise CatalogueInvalid([CatalogueProblem(
            source, "", f"not UTF-8: byte {exc.start} (line {line}) is "
                        f"0x{data[exc.start]:02x}; {hint}")]) from None


def read_config_text(path: Path, max_bytes: int = MAX_CONFIG_BYTES) -> str:
    """The file's text; CatalogueInvalid if it cannot be read, is too big or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CatalogueInvalid([CatalogueProblem(
                str(path), "", f"the file is {size:,} bytes; the limit is {max_bytes:,}")])
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # it may have grown since
    except OSError as exc:
        raise CatalogueInvalid([CatalogueProblem(str(path), "", f"cannot read: {exc.strerror}")]
                               ) from exc
    if len(data) > max_bytes:
        raise CatalogueInvalid([CatalogueProblem(
            str(path), "", f"the file is over {max_bytes:,} bytes, the limit")])
    return decode_utf8(data, str(path))


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias is expanded. Aliases share the
    anchored node, so this is computed once per node (memoised), in time linear in the
    file, however large the expansion would be."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = MAX_YAML_NODES + 1  # a node that contains itself expands forever
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, sizes)
            if size > MAX_YAML_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, sizes) + _expanded_size(value, sizes)
            if size > MAX_YAML_NODES:
                break
    sizes[id(node)] = size
    return size


def _plain(_key: str) -> str:
    return "key"


def parse_yaml(text: str, source: str, *, key_label: Callable[[str], str] = _plain) -> Any:
    """Safe YAML with unique keys; CatalogueInvalid with the line of the problem.

    ``key_label`` names a repeated key in the message (e.g. "matter code" for ``101``).
    """
    loader = _UniqueKeyLoader(text)
    loader.key_label = key_label
    try:
        return loader.get_single_data()
    except _YamlRefused as exc:
        raise CatalogueInvalid([CatalogueProblem(source, exc.path, exc.reason)]) from exc
    except yaml.YAMLError as exc:
        raise CatalogueInvalid([CatalogueProblem(source, "", f"not valid YAML: {exc}")]) from exc
    finally:
        loader.dispose()


class _YamlRefused(yaml.YAMLError):
    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(reason)


class _UniqueKeyLoader(yaml.SafeLoader):
    key_label: Callable[[str], str] = staticmethod(_plain)

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None:
            size = _expanded_size(node, {})
            if size > MAX_YAML_NODES:
                raise _YamlRefused("", f"the document expands to over {MAX_YAML_NODES:,} "
                                       "values (YAML aliases repeated inside aliases?)")
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            key = str(self.construct_object(key_node, deep=deep))
            line = key_node.start_mark.line + 1
            if key in seen:
                label = self.key_label(key)
                raise _YamlRefused(
                    key, f"duplicate {label} {key!r} at line {line} (first at line {seen[key]})")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)
