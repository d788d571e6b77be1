"""How the client's address is read behind AXES_PROXY_COUNT proxies (R-AU-3), as
settings: pure, so that ashyq.settings and the tests make the same values.

Each proxy appends the address it was reached from to X-Forwarded-For, so the client
is the AXES_PROXY_COUNT-th address from the header's right end, whatever the client
itself put in front of it. (AXES_PROXY_COUNT is the environment variable; the setting
is PROXY_COUNT, since axes warns of a setting with its own old name.) django-ipware reads it (axes uses it when it is
installed); ipware's own proxy count is of the proxies listed in the header, and the
last proxy (REMOTE_ADDR) is not listed there: ours less one. Not strict, so that a
header longer than expected (the client's own X-Forwarded-For in front) is still read
from the right rather than refused in favour of the proxy's own address.
"""


def ipware_settings(proxy_count: int) -> dict:
    if proxy_count < 0:
        raise ValueError("AXES_PROXY_COUNT cannot be negative")
    return {
        "PROXY_COUNT": proxy_count,
        "AXES_IPWARE_PROXY_COUNT": proxy_count - 1 if proxy_count else None,
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
        if proxy_count
        else ["REMOTE_ADDR"],
        "IPWARE_STRICT": False,
    }
