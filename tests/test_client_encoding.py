"""Content-Encoding under the body cap: bombs refused early, gzip decoded, others refused."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator

import pytest
from hostile_server import HostileServer, gzip_bomb

from chitieu_tui.core.errors import SourceError
from chitieu_tui.remote.client import ApiClient, Settings

pytestmark = pytest.mark.timeout(60)

FAST = Settings(connect_timeout=2, read_timeout=5, retries=0, backoff=0.01, backoff_max=0.05)
UNIT = "/api/v1/units/my-thoi"


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer().start()
    yield server
    server.stop()


async def _peak_of_failed_fetch(client: ApiClient) -> tuple[SourceError, int]:
    """The error of one fetch and the peak of traced memory (bytes) while it ran."""
    gc.collect()
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as err:
            await client.fetch(UNIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await client.aclose()
    return err.value, peak


async def test_gzip_body_is_decoded(hostile: HostileServer) -> None:
    hostile.mode = "gzip"
    client = ApiClient(hostile.url, None, FAST)
    got = await client.fetch(UNIT)
    assert got.status == 200 and got.data["unit"]["id"] == "my-thoi"
    assert hostile.requests[-1].headers["accept-encoding"] == "gzip"
    # the ETag still works for a compressed answer
    again = await client.fetch(UNIT)
    assert again.not_modified and again.data == got.data and again.digest == got.digest
    await client.aclose()


async def test_single_layer_bomb_is_refused_at_the_cap_in_small_memory(
    hostile: HostileServer,
) -> None:
    gzip_bomb()  # built before measuring: the server's copy is not the client's memory
    hostile.mode = "bomb"
    error, peak = await _peak_of_failed_fetch(ApiClient(hostile.url, None, FAST))
    assert error.code == "err.api.too_large"
    assert hostile.url + UNIT in str(error) and "5 MiB" in str(error)
    assert "5 MiB" in error.render("vi") and "lớn hơn" in error.render("vi")
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


async def test_stacked_gzip_bomb_is_refused_unread(hostile: HostileServer) -> None:
    gzip_bomb()
    hostile.mode = "bomb2"
    error, peak = await _peak_of_failed_fetch(ApiClient(hostile.url, None, FAST))
    assert error.code == "err.api.encoding"
    assert "gzip, gzip" in str(error) and hostile.url in str(error)
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, br", "compress"])
async def test_other_encodings_are_refused(hostile: HostileServer, coding: str) -> None:
    def labelled(req):
        return 200, {"Content-Type": "application/json", "Content-Encoding": coding}, b"{}"

    hostile.handler = labelled
    client = ApiClient(hostile.url, None, FAST)
    with pytest.raises(SourceError) as err:
        await client.fetch(UNIT)
    assert err.value.code == "err.api.encoding" and coding in str(err.value)
    await client.aclose()


async def test_br_mode_is_refused(hostile: HostileServer) -> None:
    hostile.mode = "br"
    client = ApiClient(hostile.url, None, FAST)
    with pytest.raises(SourceError) as err:
        await client.fetch(UNIT)
    assert err.value.code == "err.api.encoding"
    await client.aclose()


@pytest.mark.parametrize("wbits", [15, -15])
async def test_deflate_zlib_or_raw_is_decoded(hostile: HostileServer, wbits: int) -> None:
    import zlib

    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    body = packer.compress(b'{"ok": true}') + packer.flush()

    def deflated(req):
        return 200, {"Content-Type": "application/json", "Content-Encoding": "deflate"}, body

    hostile.handler = deflated
    client = ApiClient(hostile.url, None, FAST)
    assert (await client.fetch(UNIT)).data == {"ok": True}
    await client.aclose()


async def test_identity_and_damaged_gzip(hostile: HostileServer) -> None:
    answers = {"coding": "identity", "body": b'{"ok": 1}'}

    def reply(req):
        headers = {"Content-Type": "application/json", "Content-Encoding": answers["coding"]}
        return 200, headers, answers["body"]

    hostile.handler = reply
    client = ApiClient(hostile.url, None, FAST)
    assert (await client.fetch(UNIT)).data == {"ok": 1}
    answers.update(coding="gzip", body=b"\x1f\x8b\x08\x00garbage-not-deflate")
    client.cache.clear()
    with pytest.raises(SourceError) as err:
        await client.fetch(UNIT)
    assert err.value.code == "err.api.bad_compression"
    await client.aclose()


async def test_small_cap_counts_decoded_bytes(hostile: HostileServer) -> None:
    hostile.mode = "gzip"  # the unit document: ~10 kB decoded, much less on the wire
    client = ApiClient(hostile.url, None, Settings(retries=0, max_body=4096))
    with pytest.raises(SourceError) as err:
        await client.fetch(UNIT)
    assert err.value.code == "err.api.too_large" and "4096 B" in str(err.value)
    await client.aclose()
