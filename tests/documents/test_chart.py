"""The PNG chart: a real PNG of the announced size, stable bytes, the bars of the figures."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from io import BytesIO

import pytest
from PIL import Image

from bot.core.config import ROOT
from bot.documents import simulation_from_answers
from bot.documents.chart import HEIGHT_PX, SERIES, WIDTH_PX, simulation_chart
from bot.programme.params import Parameters
from tests.support.documents import LARGEST, answers

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The PNG's chunks (type, data), each CRC checked."""
    assert data[:8] == PNG_SIGNATURE
    found, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        found.append((kind, body))
        offset += 12 + length
    return found


@pytest.mark.parametrize("saved", [answers(), LARGEST], ids=["ami_2020", "renewal"])
def test_chart_is_a_png_of_the_fixed_size(params: Parameters, saved: dict[str, object]) -> None:
    data = simulation_chart(simulation_from_answers(params, saved), params)
    found = chunks(data)
    assert found[0][0] == b"IHDR" and found[-1][0] == b"IEND"
    width, height = struct.unpack(">II", found[0][1][:8])
    assert (width, height) == (WIDTH_PX, HEIGHT_PX) == (1200, 800)


def test_chart_has_no_timestamp_nor_software_stamp(params: Parameters) -> None:
    data = simulation_chart(simulation_from_answers(params, answers()), params)
    kinds = {kind for kind, _ in chunks(data)}
    assert b"tIME" not in kinds
    texts = b"".join(body for kind, body in chunks(data) if kind in (b"tEXt", b"iTXt"))
    assert b"Software" not in texts and b"matplotlib" not in texts


def test_chart_is_deterministic(params: Parameters) -> None:
    result = simulation_from_answers(params, LARGEST)
    assert simulation_chart(result, params) == simulation_chart(result, params)


def test_chart_draws_the_three_series_in_their_colours(params: Parameters) -> None:
    """Each bar series (subsidy, cost, remaining) covers a visible area of the picture."""
    result = simulation_from_answers(params, LARGEST)
    image = Image.open(BytesIO(simulation_chart(result, params))).convert("RGB")
    assert image.size == (WIDTH_PX, HEIGHT_PX)
    pixels = {rgb: count for count, rgb in image.getcolors(WIDTH_PX * HEIGHT_PX) or []}
    for label, colour in SERIES:
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert pixels.get(rgb, 0) > 5000, label


def test_importing_the_documents_does_not_load_the_heavy_libraries() -> None:
    """The bot starts (and answers the FAQ) without matplotlib, reportlab or python-docx."""
    code = ("import sys, bot.documents, bot.documents.chart, bot.documents.pdf, "
            "bot.documents.deliberation, bot.documents.files, bot.app\n"
            "heavy = {'matplotlib', 'reportlab', 'docx'}\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert run.stdout.strip() == "[]"
