import pytest

# The kinds of versioned text that are edited together (projects.coedit.kinds).
COEDIT_KINDS = ("result", "guide")


@pytest.fixture(params=COEDIT_KINDS)
def kind(request) -> str:
    """A co-editing test that takes ``kind`` runs for a living result and for a guide."""
    return request.param
