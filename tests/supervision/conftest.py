import pytest

from huying.datahub.models import Category


@pytest.fixture
def no_shared_catalogue(db):
    """The register tests build the catalogue they need; other modules' fixtures may have left
    the demo catalogue committed (1,250 categories), which would share fields by chance. Inside
    the test's transaction it is removed, and comes back when the transaction rolls back."""
    Category.objects.all().delete()
