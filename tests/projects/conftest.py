import pytest

from projects import services

# The kinds of versioned text that are edited together (projects.coedit.kinds).
COEDIT_KINDS = ("result", "guide")


@pytest.fixture(params=COEDIT_KINDS)
def kind(request) -> str:
    """A co-editing test that takes ``kind`` runs for a living result and for a guide."""
    return request.param


@pytest.fixture
def project(coordinator, menden, iserlohn):
    """A lead project of Menden with Iserlohn taking part (network-visible, as a new one is);
    a test module that needs another defines its own ``project``."""
    return services.project_create(
        by=coordinator,
        title="Offene regionale Datenplattform",
        summary="Daten der Region an einem Ort.",
        lead_municipality=menden,
        participants=[iserlohn],
    )
