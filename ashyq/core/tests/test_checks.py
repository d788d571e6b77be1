from ashyq.core.checks import registry_checks


def test_mocks_on_in_production_are_flagged(settings):
    settings.REGISTRY_MOCKS_ENABLED = True
    assert [w.id for w in registry_checks(None)] == ["ashyq.W001"]


def test_a_registry_url_still_at_the_mocks_is_flagged(settings):
    settings.REGISTRY_MOCKS_ENABLED = False
    settings.REGISTRY_URL = "http://127.0.0.1:8000/mock/"
    assert [w.id for w in registry_checks(None)] == ["ashyq.W002"]


def test_a_real_gateway_passes(settings):
    settings.REGISTRY_MOCKS_ENABLED = False
    settings.REGISTRY_URL = "https://gateway.example.kz/registries/"
    assert registry_checks(None) == []
