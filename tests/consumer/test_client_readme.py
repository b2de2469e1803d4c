"""The generated client's README: its examples run, in order, against the reference server."""

import re
from pathlib import Path

import pytest

from bitly_exports_contract.testing import ReferenceServer

README = Path(__file__).resolve().parents[2] / "generated" / "bitly-exports-client" / "README.md"
DOCUMENTED_BASE_URL = "https://api-ssl.bitly.com/v4"


@pytest.mark.exports_server(fixture="../server/fixtures/small.json")
def test_every_example_of_the_client_readme_runs(exports_server: ReferenceServer) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.DOTALL)
    namespace: dict[str, object] = {"TOKEN": exports_server.token("premium")}

    for number, block in enumerate(blocks, start=1):
        code = block.replace(DOCUMENTED_BASE_URL, exports_server.base_url)
        exec(compile(code, f"README.md example {number}", "exec"), namespace)  # noqa: S102

    assert len(blocks) == 4
    assert namespace["export"].__class__.__name__ == "ExportResponse"
