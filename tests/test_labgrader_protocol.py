"""labgrader.protocol: plain data and numpy arrays cross the pipe without pickle."""

import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # until labgrader is installed

from labgrader import protocol  # noqa: E402
from labgrader.protocol import ProtocolError, decode, encode  # noqa: E402


def roundtrip(value):
    """Through JSON text, as on the pipe."""
    return decode(protocol.loads(protocol.dumps({"v": encode(value)})[8:])["v"])


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "bool"])
@pytest.mark.parametrize("shape", [(), (0,), (5,), (3, 4), (2, 1, 3)])
def test_arrays_roundtrip_exactly(dtype, shape, rng):
    a = np.asarray(rng.normal(size=shape) * 100).astype(dtype)
    b = roundtrip(a)
    assert isinstance(b, np.ndarray)
    assert b.dtype == a.dtype and b.shape == a.shape
    assert np.array_equal(a, b)
    assert b.flags.writeable


def test_non_contiguous_and_big_endian_arrays(rng):
    a = rng.normal(size=(6, 5))[::2, ::-1]
    assert np.array_equal(roundtrip(a), a)
    big = np.arange(4, dtype=">f8")
    out = roundtrip(big)
    assert out.dtype == np.float64 and np.array_equal(out, [0.0, 1.0, 2.0, 3.0])


def test_nan_inf_and_nested_plain_data():
    value = {"a": [1, 2.5, None, True, "x"], "b": (np.float64("nan"), np.inf, np.int32(7)),
             "c": {"d": np.array([1.0, np.nan])}}
    out = roundtrip(value)
    assert out["a"] == [1, 2.5, None, True, "x"]
    assert np.isnan(out["b"][0]) and out["b"][1] == np.inf and out["b"][2] == 7
    assert type(out["b"][2]) is int
    assert np.isnan(out["c"]["d"][1])


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=5),
                  elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_float_arrays_roundtrip_bitwise(a):
    b = roundtrip(a)
    assert b.shape == a.shape
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("value, match", [
    (np.ones(3, dtype=complex), "complex array"),
    (np.array([object(), 1], dtype=object), "object array"),
    (np.ones(2, dtype=np.uint8), "uint8"),
    (1 + 2j, "unsupported type complex"),
    ({1: "a"}, "keys must be strings"),
    ({"__ndarray__": 1}, "reserved"),
    (object(), "unsupported type object"),
    ({1, 2}, "unsupported type set"),
])
def test_encode_rejects(value, match):
    with pytest.raises(ProtocolError, match=match):
        encode(value)


def test_custom_eq_object_cannot_be_encoded():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

        __hash__ = None

    with pytest.raises(ProtocolError, match="unsupported type AlwaysEqual"):
        encode([AlwaysEqual()])


def _spec(dtype="float64", shape=(2,), data=None):
    data = data if data is not None else encode(np.zeros(2))["__ndarray__"]["data"]
    return {"__ndarray__": {"dtype": dtype, "shape": list(shape), "data": data}}


@pytest.mark.parametrize("bad, match", [
    (_spec(dtype="complex128"), "not accepted"),
    (_spec(dtype="object"), "not accepted"),
    (_spec(shape=(3,)), "needs 24"),
    (_spec(shape=(-2,)), "invalid array shape"),
    (_spec(data="not base64!"), "base64"),
    ({"__ndarray__": {"dtype": "float64", "shape": [1]}}, "exactly the keys"),
    ({"__ndarray__": _spec()["__ndarray__"], "extra": 1}, "reserved"),
])
def test_decode_rejects(bad, match):
    with pytest.raises(ProtocolError, match=match):
        decode(bad)


def test_deep_nesting_is_refused():
    value = []
    for _ in range(protocol.MAX_DEPTH + 5):
        value = [value]
    with pytest.raises(ProtocolError, match="nested deeper"):
        encode(value)
    with pytest.raises(ProtocolError, match="nested deeper"):
        decode(value)


def test_send_with_a_deadline_never_blocks_on_a_full_pipe():
    r, w = os.pipe()
    try:
        start = time.monotonic()
        with pytest.raises(protocol.ChannelTimeout):
            protocol.send(w, {"pad": "x" * 2**20}, time.monotonic() + 0.3)
        assert time.monotonic() - start < 3
    finally:
        os.close(r)
        os.close(w)


def test_pipe_framing_timeout_eof_and_size_limit():
    r, w = os.pipe()
    try:
        big = {"op": "x", "value": encode(np.arange(100000.0))}  # > 1 MB: larger than the pipe
        sender = threading.Thread(target=protocol.send, args=(w, big))
        sender.start()
        msg = protocol.recv(r, time.monotonic() + 30)
        sender.join(30)
        assert np.array_equal(decode(msg["value"]), np.arange(100000.0))
        start = time.monotonic()
        with pytest.raises(protocol.ChannelTimeout):
            protocol.recv(r, time.monotonic() + 0.2)
        assert time.monotonic() - start < 2
        os.write(w, protocol.dumps({"op": "big", "pad": "x" * 1000}))
        with pytest.raises(ProtocolError, match="exceeds the limit"):
            protocol.recv(r, time.monotonic() + 5, max_bytes=100)
    finally:
        os.close(w)
        os.close(r)
    r, w = os.pipe()
    os.write(w, protocol.dumps({"op": "cut"})[:-3])  # the writer dies mid-message
    os.close(w)
    with pytest.raises(protocol.ChannelClosed):
        protocol.recv(r, time.monotonic() + 5)
    os.close(r)


@pytest.mark.parametrize("body", [b"[1, 2]", b"\xff\xfe", b"{bad json"])
def test_loads_rejects_non_objects(body):
    with pytest.raises(ProtocolError):
        protocol.loads(body)
