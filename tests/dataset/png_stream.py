"""Reading a PNG's zlib stream, to check what an encoder put in it."""


def idat(data: bytes) -> bytes:
    """The concatenated IDAT payload of a PNG (its zlib stream)."""
    out, at = b"", 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        if data[at + 4 : at + 8] == b"IDAT":
            out += data[at + 8 : at + 8 + length]
        at += 12 + length
    return out
