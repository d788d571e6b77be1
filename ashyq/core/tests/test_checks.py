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


def test_r_au_3_lockouts_behind_a_proxy_need_the_forwarded_address(settings):
    from ashyq.core.checks import lockout_check

    settings.BEHIND_TLS_PROXY = True
    from ashyq.proxy import ipware_settings

    settings.BEHIND_TLS_PROXY = True
    for name, value in ipware_settings(0).items():
        setattr(settings, name, value)
    assert [w.id for w in lockout_check(None)] == ["ashyq.W003"]
    for name, value in ipware_settings(1).items():
        setattr(settings, name, value)
    assert lockout_check(None) == []
