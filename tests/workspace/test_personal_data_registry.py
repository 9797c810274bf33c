"""The registry of personal data covers every field of every table (workspace.personal_data)."""

from workspace.personal_data import unclassified_fields


def test_every_field_of_every_model_is_classified():
    missing = unclassified_fields()
    assert not missing, (
        "Felder ohne Einordnung in workspace.personal_data (person, owner, personal oder "
        f"not_personal): {missing}"
    )
