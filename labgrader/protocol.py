"""The messages between the grader and the untrusted worker: JSON, never pickle.

A message is a JSON object sent as an 8-byte big-endian length followed by
its UTF-8 bytes. Values are plain data: ``None``, booleans, integers, floats
(NaN and infinities included), strings, lists (tuples become lists), dicts
with string keys, and numpy arrays, sent as

.. code-block:: json

    {"__ndarray__": {"dtype": "float64", "shape": [2, 3], "data": "<base64>"}}

Only the dtypes in :data:`DTYPES` cross the channel; complex and object arrays
are refused on both sides. Arrays are rebuilt with :func:`numpy.frombuffer`
after checking that the byte count matches the shape, so decoding never runs
code and never builds anything but the types above. A value a student returns
therefore reaches the grader as data, never as an object with its own
``__eq__``.
"""

from __future__ import annotations

import base64
import json
import math
import os
import select
import struct
import time

import numpy as np

#: dtype name -> little-endian array-protocol code accepted on the channel.
DTYPES = {"float64": "<f8", "float32": "<f4", "int64": "<i8", "int32": "<i4", "bool": "|b1"}
ARRAY_KEY = "__ndarray__"
MAX_DEPTH = 64
HEADER = struct.Struct(">Q")
# Private references: a lab may forbid (stub out) json.dumps in the worker.
_json_dumps, _json_loads, _b64encode, _b64decode = (json.dumps, json.loads, base64.b64encode,
                                                   base64.b64decode)
DEFAULT_MAX_BYTES = 256 * 2**20


class ProtocolError(ValueError):
    """A value that cannot cross the channel, or a malformed message."""


class ChannelClosed(EOFError):
    """The other end closed the pipe (for the grader: the worker died)."""


class ChannelTimeout(TimeoutError):
    """No complete message before the deadline."""


# ---------------------------------------------------------------- values


def encode(value, _depth=0):
    """Return ``value`` as JSON-ready plain data; raise :class:`ProtocolError` otherwise."""
    if _depth > MAX_DEPTH:
        raise ProtocolError(f"value nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.generic):
        return _encode_numpy_scalar(value)
    if isinstance(value, np.ndarray):
        return encode_array(value)
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        return encode_array(value.detach().cpu().numpy())
    if isinstance(value, (list, tuple)):
        return [encode(v, _depth + 1) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if not isinstance(key, str):
                raise ProtocolError(f"dict keys must be strings, got {type(key).__name__}")
            if key == ARRAY_KEY:
                raise ProtocolError(f"dict key {ARRAY_KEY!r} is reserved")
            out[key] = encode(v, _depth + 1)
        return out
    raise ProtocolError(
        f"unsupported type {type(value).__name__}: return numbers, strings, lists, "
        "dicts or numpy arrays of float, int or bool"
    )


def _encode_numpy_scalar(value):
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise ProtocolError(f"unsupported numpy scalar of dtype {value.dtype}")


def encode_array(a):
    """Encode a numpy array whose dtype is in :data:`DTYPES`."""
    name = a.dtype.name
    if name not in DTYPES:
        kind = {"c": "complex", "O": "object"}.get(a.dtype.kind, "unsupported")
        raise ProtocolError(
            f"{kind} array of dtype {name} cannot be graded: use float64, float32, "
            "int64, int32 or bool"
        )
    data = np.ascontiguousarray(a, dtype=np.dtype(DTYPES[name])).tobytes()
    payload = {"dtype": name, "shape": list(a.shape), "data": _b64encode(data).decode()}
    return {ARRAY_KEY: payload}


def decode(obj, _depth=0):
    """Rebuild plain data from :func:`encode`'s output, validating every array."""
    if _depth > MAX_DEPTH:
        raise ProtocolError(f"value nested deeper than {MAX_DEPTH} levels")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [decode(v, _depth + 1) for v in obj]
    if isinstance(obj, dict):
        if ARRAY_KEY in obj:
            if len(obj) != 1:
                raise ProtocolError(f"dict key {ARRAY_KEY!r} is reserved")
            return decode_array(obj[ARRAY_KEY])
        return {str(k): decode(v, _depth + 1) for k, v in obj.items()}
    raise ProtocolError(f"unexpected JSON value of type {type(obj).__name__}")


def decode_array(spec):
    """Build a writable numpy array from ``{dtype, shape, data}`` after checking sizes."""
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data"}:
        raise ProtocolError("an array needs exactly the keys dtype, shape and data")
    name, shape, data = spec["dtype"], spec["shape"], spec["data"]
    if name not in DTYPES:
        raise ProtocolError(f"array dtype {name!r} is not accepted (allowed: {sorted(DTYPES)})")
    valid_shape = isinstance(shape, list) and all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    )
    if not valid_shape or len(shape) > 32:
        raise ProtocolError(f"invalid array shape {shape!r}")
    if not isinstance(data, str):
        raise ProtocolError("array data must be a base64 string")
    try:
        raw = _b64decode(data, validate=True)
    except ValueError as exc:
        raise ProtocolError(f"array data is not valid base64: {exc}") from None
    dtype = np.dtype(DTYPES[name])
    if len(raw) != math.prod(shape) * dtype.itemsize:
        needed = math.prod(shape) * dtype.itemsize
        raise ProtocolError(f"array data has {len(raw)} bytes, shape {shape} needs {needed}")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


# ---------------------------------------------------------------- messages


def dumps(message):
    """Frame a message (a dict of already-encoded values) as bytes."""
    body = _json_dumps(message, separators=(",", ":")).encode()
    return HEADER.pack(len(body)) + body


def loads(body):
    """Parse one message body; anything but a JSON object is a :class:`ProtocolError`."""
    try:
        message = _json_loads(body.decode())
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"malformed message: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    return message


def send(fd, message, deadline=None):
    """Write one message to ``fd``; with a ``deadline`` (monotonic clock), never block past it."""
    data = memoryview(dumps(message))
    while data:
        if deadline is not None:
            _wait(fd, deadline, write=True)
        try:
            n = os.write(fd, data[: 1 << 16])
        except BrokenPipeError:
            raise ChannelClosed("the other end closed the channel") from None
        data = data[n:]


def recv(fd, deadline=None, max_bytes=DEFAULT_MAX_BYTES):
    """Read one message from ``fd``; raise :class:`ChannelClosed` at EOF."""
    (size,) = HEADER.unpack(_read_exact(fd, HEADER.size, deadline))
    if size > max_bytes:
        raise ProtocolError(f"message of {size} bytes exceeds the limit of {max_bytes}")
    return loads(_read_exact(fd, size, deadline))


def _read_exact(fd, n, deadline):
    chunks, remaining = [], n
    while remaining:
        if deadline is not None:
            _wait(fd, deadline, write=False)
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosed("the other end closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _wait(fd, deadline, write):
    left = deadline - time.monotonic()
    if left <= 0:
        raise ChannelTimeout("deadline passed")
    ready = select.select([], [fd], [], left) if write else select.select([fd], [], [], left)
    if not (ready[1] if write else ready[0]):
        raise ChannelTimeout("deadline passed")
