"""Syntax-tree edits of existing files, as before/after pairs: applied, already there, anchor missing."""

from __future__ import annotations

import pytest

from scaffold.commands.index import add_index_kwarg

BEFORE = """class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))  # keep this comment
    legacy_id = Column(Integer, ForeignKey("legacy.id"))
"""


def test_index_is_added_to_the_named_column_only_keeping_comments() -> None:
    after = add_index_kwarg(BEFORE, "Note", "contact_id")
    assert after == BEFORE.replace(
        'mapped_column(ForeignKey("contacts.id"))',
        'mapped_column(ForeignKey("contacts.id"), index=True)',
    )


def test_index_is_added_to_a_classic_column_assignment() -> None:
    after = add_index_kwarg(BEFORE, "Note", "legacy_id")
    assert after is not None and 'Column(Integer, ForeignKey("legacy.id"), index=True)' in after


def test_already_indexed_column_is_left_alone() -> None:
    source = BEFORE.replace('ForeignKey("contacts.id"))', 'ForeignKey("contacts.id"), index=False)')
    assert add_index_kwarg(source, "Note", "contact_id") is None


@pytest.mark.parametrize(
    ("class_name", "column"), [("Other", "contact_id"), ("Note", "missing_id")]
)
def test_missing_anchor_changes_nothing(class_name: str, column: str) -> None:
    assert add_index_kwarg(BEFORE, class_name, column) is None


def test_models_are_read_by_column_name_where_the_attribute_is_spelled_name_underscore(
    tmp_path,
) -> None:
    from scaffold.commands.index import read_models

    (tmp_path / "app/models").mkdir(parents=True)
    (tmp_path / "app/models/orders.py").write_text(
        "class Order(Base):\n"
        '    __tablename__ = "orders"\n'
        '    __table_args__ = (UniqueConstraint("order", "id"),)\n'
        '    from_: Mapped[int] = mapped_column("from", ForeignKey("places.id"))\n'
        "    order: Mapped[int] = mapped_column(ForeignKey('steps.id'))\n"
    )
    (model,) = read_models(tmp_path, "app")
    assert model.column_of == {"from_": "from", "order": "order"}
    assert model.foreign_keys == ["from_", "order"]
    assert model.covered == {"order"}
